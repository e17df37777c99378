"""Training torch classifiers: :class:`Recipe`, :func:`fit`, evaluation, checkpoints; the lab's ``train``, ``eval``."""

from shootout.train.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from shootout.train.devices import resolve_device
from shootout.train.evaluate import Preprocess, evaluate, predict_logits, predict_proba
from shootout.train.lab import eval, train
from shootout.train.recipe import Recipe, RecipeError
from shootout.train.schedules import learning_rate
from shootout.train.trainer import DivergenceError, TrainResult, fit, split_validation

__all__ = [
    "CheckpointError",
    "DivergenceError",
    "Preprocess",
    "Recipe",
    "RecipeError",
    "TrainResult",
    "eval",
    "evaluate",
    "fit",
    "learning_rate",
    "load_checkpoint",
    "predict_logits",
    "predict_proba",
    "resolve_device",
    "save_checkpoint",
    "split_validation",
    "train",
]
