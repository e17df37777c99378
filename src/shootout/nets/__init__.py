"""PyTorch models: pt_linreg, PTLogreg, PTDeep and LeNet; all run on the CPU or CUDA alike."""

from shootout.nets.classifier import Classifier, count_params
from shootout.nets.deep import PTDeep
from shootout.nets.lenet import LeNet
from shootout.nets.linreg import LineFit, fit_line, line_grads_by_hand
from shootout.nets.logreg import PTLogreg, eval, train

__all__ = [
    "Classifier",
    "LeNet",
    "LineFit",
    "PTDeep",
    "PTLogreg",
    "count_params",
    "eval",
    "fit_line",
    "line_grads_by_hand",
    "train",
]
