"""`model_service.pytorch_model_service`: PyTorch services."""
from .model_service import BaseService


class PTServingBaseService(BaseService):
    """PyTorch services: `self.model_path` is the model file, JSON arrives as a dict."""

    MODEL_PATH_IS_FILE = True
