"""`model_service.tf_serving_model_service`: the spelling some ModelArts examples use; same class."""
from .tfserving_model_service import TfServingBaseService  # noqa: F401
