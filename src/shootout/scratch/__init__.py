"""Models written from scratch in NumPy, with hand-derived gradients (no torch import here).

binary and multinomial logistic regression (full-batch GD), softmax regression with minibatch SGD
(seed 004) and fcann2, the lab's two-layer ReLU net.
"""

from shootout.scratch.fcann2 import Fcann2Params, fcann2_classify, fcann2_loss_grads, fcann2_train
from shootout.scratch.functional import cross_entropy, log_softmax, one_hot, sigmoid, softmax
from shootout.scratch.logreg import (
    binlogreg_classify,
    binlogreg_loss_grads,
    binlogreg_train,
    logreg_classify,
    logreg_loss_grads,
    logreg_train,
)
from shootout.scratch.softmax_regression import (
    SoftmaxRegressionResult,
    softmax_regression_classify,
    softmax_regression_init,
    softmax_regression_train,
)

__all__ = [
    "Fcann2Params",
    "SoftmaxRegressionResult",
    "binlogreg_classify",
    "binlogreg_loss_grads",
    "binlogreg_train",
    "cross_entropy",
    "fcann2_classify",
    "fcann2_loss_grads",
    "fcann2_train",
    "log_softmax",
    "logreg_classify",
    "logreg_loss_grads",
    "logreg_train",
    "one_hot",
    "sigmoid",
    "softmax",
    "softmax_regression_classify",
    "softmax_regression_init",
    "softmax_regression_train",
]
