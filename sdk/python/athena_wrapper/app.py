"""Finds what an application folder holds and builds the matching adapter."""
import os
from typing import Any, Dict, Optional, Union

from . import errors
from .aiges_app import AigesApp
from .errors import EngineError
from .modelarts_app import ModelArtsApp, find_app

App = Union[AigesApp, ModelArtsApp]


def open_app(app_dir: str, config: Optional[Dict[str, Any]] = None, service_id: str = "", version: str = "",
             session_timeout: float = 30.0) -> App:
    """AIGES when DIR (or DIR/wrapper) holds wrapper.py; ModelArts when DIR (or DIR/model) holds
    customize_service.py. Nothing is imported yet."""
    if not os.path.isdir(app_dir):
        raise EngineError(errors.INIT_ERROR, "application folder %s does not exist" % app_dir)
    for d in (app_dir, os.path.join(app_dir, "wrapper")):
        if os.path.isfile(os.path.join(d, "wrapper.py")):
            return AigesApp(d, config=config, session_timeout=session_timeout)
    ma = find_app(app_dir)
    if ma is not None:
        return ModelArtsApp(ma, service_id=service_id, version=version)
    raise EngineError(errors.INIT_ERROR,
                      "%s holds neither wrapper.py (AIGES) nor customize_service.py (ModelArts)" % app_dir)
