"""`aiges.errors` → athena_wrapper.errors."""
from athena_wrapper.errors import *  # noqa: F401,F403
