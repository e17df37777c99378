"""Every contestant as a scikit-learn estimator: ``fit`` returns self, ``predict``, ``predict_proba``,
``score``, ``get_params``/``set_params`` — so experiments treat them alike and they drop into pipelines.
"""

from shootout.estimators.base import Contestant, as_matrix
from shootout.estimators.scratch import Fcann2, ScratchLogreg, SoftmaxRegression
from shootout.estimators.svm import SVM, NystroemSVM, stratified_subsample
from shootout.estimators.torch_nets import TorchNet

__all__ = [
    "SVM",
    "Contestant",
    "Fcann2",
    "NystroemSVM",
    "ScratchLogreg",
    "SoftmaxRegression",
    "TorchNet",
    "as_matrix",
    "stratified_subsample",
]
