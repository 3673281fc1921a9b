"""`python -m athena_wrapper.schema --app DIR`: prints what the application serves, as JSON,
without loading the model (no wrapperInit):

    {"service_id", "version", "kind": "aiges"|"modelarts", "supports_session",
     "schema": AIGES schema or {}, "apis": ModelArts apis or [],
     "routing": {"parameter", "payload", "response", "apis"}}   # the routing-table `schema` shape
"""
import argparse
import json
import os
import sys
from typing import Any, Dict, List, Optional

from .app import open_app
from .errors import EngineError
from .modelarts_app import ModelArtsApp


def describe_app(app_dir: str) -> Dict[str, Any]:
    app = open_app(app_dir)
    if isinstance(app, ModelArtsApp):
        apis = app.config.get("apis", [])
        return {"service_id": app.service_id, "version": app.version, "kind": "modelarts",
                "supports_session": False, "schema": {}, "apis": apis, "routing": {"apis": apis}}
    cwd = os.getcwd()
    os.chdir(app.app_dir)
    try:
        app.import_wrapper()
        schema = app.schema()
    finally:
        os.chdir(cwd)
    props = schema.get("schemainput", {}).get("properties", {})
    routing = {"parameter": props.get("parameter", {}), "payload": props.get("payload", {}),
               "response": schema.get("schemaoutput", {}).get("properties", {}).get("payload", {})}
    return {"service_id": app.service_id, "version": app.version, "kind": "aiges",
            "supports_session": app.supports_session(), "schema": schema, "apis": [], "routing": routing}


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m athena_wrapper.schema")
    ap.add_argument("--app", required=True)
    args = ap.parse_args(argv)
    try:
        out = describe_app(args.app)
    except EngineError as e:
        print("athena-wrapper: %s" % e.message, file=sys.stderr)
        return 1
    print(json.dumps(out, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
