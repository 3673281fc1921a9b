"""`model_service.tfserving_model_service`: TensorFlow services."""
from .model_service import BaseService


class TfServingBaseService(BaseService):
    """TensorFlow services: `self.model_path` is the model folder, JSON arrives as a dict."""
