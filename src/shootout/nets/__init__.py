"""PyTorch models: pt_linreg, PTLogreg, PTDeep, LeNet, a small CNN, the speedrun CNN; on the CPU or CUDA alike."""

from shootout.nets.classifier import Classifier, count_params
from shootout.nets.deep import PTDeep
from shootout.nets.flat_image import FlatAsImage, square_side
from shootout.nets.lenet import LeNet
from shootout.nets.linreg import LineFit, fit_line, line_grads_by_hand
from shootout.nets.logreg import PTLogreg
from shootout.nets.smallcnn import SmallCNN
from shootout.nets.speedrun import SpeedrunNet, whitening_filters

__all__ = [
    "Classifier",
    "FlatAsImage",
    "LeNet",
    "LineFit",
    "PTDeep",
    "PTLogreg",
    "SmallCNN",
    "SpeedrunNet",
    "count_params",
    "fit_line",
    "line_grads_by_hand",
    "square_side",
    "whitening_filters",
]
