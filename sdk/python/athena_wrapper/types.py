"""Data type and status constants, with the names AIGES wrappers use (`aiges.types`).

The numbers match `athena.engine.v1.GeneralData.DataType` / `DataStatus`, so they go on the
wire unchanged.
"""

# Data types (GeneralData.DataType).
STRING = 0
AUDIO = 1
IMAGE = 2
VIDEO = 3

DataText = 0
DataAudio = 1
DataImage = 2
DataVideo = 3

# Data status (GeneralData.DataStatus): where a frame sits in its stream.
DataBegin = 0
DataContinue = 1
DataEnd = 2
DataOnce = 3

Once = DataOnce

# Concurrency modes named by AIGES; the engine server always runs user code on a thread pool.
THREAD_MODE = "thread"
PROCESS_MODE = "process"

TYPE_NAMES = {DataText: "text", DataAudio: "audio", DataImage: "image", DataVideo: "video"}
TYPE_BY_NAME = {v: k for k, v in TYPE_NAMES.items()}

__all__ = [
    "STRING", "AUDIO", "IMAGE", "VIDEO",
    "DataText", "DataAudio", "DataImage", "DataVideo",
    "DataBegin", "DataContinue", "DataEnd", "DataOnce", "Once",
    "THREAD_MODE", "PROCESS_MODE", "TYPE_NAMES", "TYPE_BY_NAME",
]
