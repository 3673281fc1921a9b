"""The digits model behind FastAPI/uvicorn: what a user would write instead of Athena.

Same request and response as `POST /v1/private/digits` on the gateway (ASE JSON, base64 PNG in,
base64 JSON result out), same wrapper code (examples/digits/wrapper.py, loaded once per worker).
Run: uvicorn fastapi_digits:app --workers 2 --port PORT (from this folder, DIGITS_APP set).
"""
import base64
import importlib.util
import json
import os
import sys

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

APP_DIR = os.environ.get("DIGITS_APP", os.path.join(os.path.dirname(__file__), "..", "..", "examples", "digits"))
sys.path.insert(0, APP_DIR)
spec = importlib.util.spec_from_file_location("digits_wrapper", os.path.join(APP_DIR, "wrapper.py"))
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)

from aiges.dto import DataListCls, DataListNode  # noqa: E402  (the SDK's AIGES shim)

wrapper = module.Wrapper()
wrapper.wrapperInit({})
app = FastAPI()


@app.post("/v1/private/digits")
async def digits(request: Request):
    try:
        body = await request.json()
        image = base64.b64decode(body["payload"]["image"]["image"], validate=True)
    except Exception as e:  # noqa: BLE001
        return JSONResponse({"header": {"code": 10106, "message": str(e)}}, status_code=400)
    resp = wrapper.wrapperOnceExec({}, DataListCls([DataListNode(key="image", data=image, type=2)]))
    if getattr(resp, "error_code", 0):
        return JSONResponse({"header": {"code": resp.error_code, "message": "wrapper error"}}, status_code=500)
    item = resp.list[0]
    return {
        "header": {"code": 0, "message": "success", "sid": "", "status": 3},
        "payload": {item.key: {"encoding": "utf8", "status": 3, "text": base64.b64encode(item.data).decode()}},
    }
