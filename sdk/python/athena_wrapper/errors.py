"""Engine error codes. AIGES keeps 30xxx for the wrapper/SDK side; the gateway maps
30400–30499 to HTTP 400 and any other non-zero code to HTTP 500 (docs/engine-protocol.md).

A wrapper's own code (`Response().response_err(code)`) is passed through unchanged with the
message from `wrapperError(code)`.
"""

OK = 0
# Engine side: the wrapper could not be imported or instantiated.
INIT_ERROR = 30001
# wrapperInit raised or returned non-zero; ModelArts service construction failed.
USER_INIT_ERROR = 30002
# User code raised during a request (wrapperOnceExec, _preprocess/_inference/_postprocess...).
USER_EXEC_ERROR = 30003
# User code returned something the engine cannot send (not a Response, unserialisable result).
INVALID_RESPONSE = 30004
# wrapperCreate failed or returned a non-zero error code.
SESSION_CREATE_ERROR = 30005
# wrapperWrite / wrapperRead failed within a session.
SESSION_IO_ERROR = 30006
# A session produced no END result within its deadline.
SESSION_TIMEOUT = 30007
# The engine is still loading the model.
NOT_READY = 30010
# The request cannot be handled as sent: bad JSON body for a ModelArts service, no data...
INVALID_REQUEST = 30400
# The application does not implement streaming sessions.
SESSION_NOT_SUPPORTED = 30401

MESSAGES = {
    OK: "success",
    INIT_ERROR: "engine could not load the application",
    USER_INIT_ERROR: "application initialisation failed",
    USER_EXEC_ERROR: "inference failed",
    INVALID_RESPONSE: "application returned an invalid response",
    SESSION_CREATE_ERROR: "session could not be created",
    SESSION_IO_ERROR: "session write/read failed",
    SESSION_TIMEOUT: "session timed out waiting for the last result",
    NOT_READY: "engine is still loading",
    INVALID_REQUEST: "invalid request",
    SESSION_NOT_SUPPORTED: "this application does not support streaming sessions",
}


class EngineError(Exception):
    """An error with an engine code, turned into `InferResponse.code`/`message`."""

    def __init__(self, code: int, message: str = ""):
        super().__init__(message or MESSAGES.get(code, "error %d" % code))
        self.code = code
        self.message = message or MESSAGES.get(code, "error %d" % code)
