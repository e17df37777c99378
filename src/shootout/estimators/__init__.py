"""Every contestant as a scikit-learn estimator: ``fit`` returns self, ``predict``, ``predict_proba``,
``score``, ``get_params``/``set_params`` — so experiments treat them alike and they drop into pipelines.

The protocol the experiments read is documented in :mod:`shootout.estimators.base`. The from-scratch
and torch contestants are here; the SVM contestants live with the SVM, in :mod:`shootout.svm`.
"""

from shootout.estimators.base import Contestant, as_matrix
from shootout.estimators.scratch import Fcann2, ScratchLogreg, SoftmaxRegression
from shootout.estimators.torch_nets import TorchNet

__all__ = ["Contestant", "Fcann2", "ScratchLogreg", "SoftmaxRegression", "TorchNet", "as_matrix"]
