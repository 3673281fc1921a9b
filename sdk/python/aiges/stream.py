"""`aiges.stream` → athena_wrapper.stream."""
from athena_wrapper.stream import *  # noqa: F401,F403
from athena_wrapper.types import *  # noqa: F401,F403
