"""`aiges.core.types` → athena_wrapper.types."""
from athena_wrapper.types import *  # noqa: F401,F403
