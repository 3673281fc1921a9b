"""Logging for wrappers (`aiges.utils.log`): `log` is the root logger with one stderr handler,
`getFileLogger` adds a file. Wrappers log with `log.info(...)` as under AIGES."""
import logging
import os
import sys

_FORMAT = "%(asctime)s - %(name)s:%(funcName)s:%(lineno)s - %(levelname)s:  %(message)s"

log = logging.getLogger()
if not any(getattr(h, "_athena", False) for h in log.handlers):
    _handler = logging.StreamHandler(sys.stderr)
    _handler.setFormatter(logging.Formatter(_FORMAT))
    _handler._athena = True  # type: ignore[attr-defined]
    log.addHandler(_handler)
    log.setLevel(getattr(logging, os.environ.get("ATHENA_LOG_LEVEL", "INFO").upper(), logging.INFO))


def getFileLogger(name: str = "wrapper", path: str = "./log/wrapper.log", level: int = logging.INFO) -> logging.Logger:
    """A logger that also writes to `path` (its folder is created)."""
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    logger = logging.getLogger(name)
    handler = logging.FileHandler(path)
    handler.setFormatter(logging.Formatter(_FORMAT))
    logger.addHandler(handler)
    logger.setLevel(level)
    return logger


__all__ = ["log", "getFileLogger"]
