"""Loading the user's code (wrapper.py, customize_service.py) from an application folder."""
import importlib.util
import sys
from types import ModuleType

from . import errors
from .errors import EngineError


def describe_exception(e: BaseException) -> str:
    """`Type: message`, or just the type when the message is empty: what an error reply says."""
    return "%s: %s" % (type(e).__name__, e) if str(e) else type(e).__name__


def import_user_module(app_dir: str, path: str, module_name: str) -> ModuleType:
    """Imports the file at `path` as `module_name`, with `app_dir` on sys.path so the user's own
    sibling imports work. Any failure becomes an INIT_ERROR naming the file and the cause."""
    if app_dir not in sys.path:
        sys.path.insert(0, app_dir)
    try:
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            raise ImportError("cannot import %s" % path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    except Exception as e:
        raise EngineError(errors.INIT_ERROR, "importing %s failed: %s" % (path, describe_exception(e))) from e
    return module
