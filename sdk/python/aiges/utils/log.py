"""`aiges.utils.log` → athena_wrapper.log."""
from athena_wrapper.log import getFileLogger, log  # noqa: F401
