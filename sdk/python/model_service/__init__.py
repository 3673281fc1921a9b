"""ModelArts compatibility: the `model_service.*` base classes a `customize_service.py` derives
from. The engine (`athena_wrapper.serve`) finds the subclass, builds it once and calls
`_preprocess → _inference → _postprocess` per request."""
