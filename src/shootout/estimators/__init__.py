"""Every contestant as a scikit-learn estimator: ``fit`` returns self, ``predict``, ``predict_proba``,
``score``, ``get_params``/``set_params`` — so experiments treat them alike and they drop into pipelines.

The protocol the experiments read is documented in :mod:`shootout.estimators.base`. The from-scratch
and torch contestants are here; the SVM contestants live with the SVM, in :mod:`shootout.svm`.

Every contestant passes scikit-learn's estimator checks (``tests/test_sklearn_checks.py`` runs them
through ``parametrize_with_checks``) except the ones listed in :data:`EXPECTED_FAILED_CHECKS`.
"""

from typing import Any

from shootout.estimators.base import Contestant, as_matrix
from shootout.estimators.scratch import Fcann2, ScratchLogreg, SoftmaxRegression
from shootout.estimators.speedrun import SpeedrunCNN
from shootout.estimators.torch_nets import TorchNet

# The scikit-learn estimator checks a contestant is known to fail: class name (SVM and NystroemSVM
# included), or "TorchNet[<arch>]" for one architecture only -> {check name: one line saying why it
# cannot apply}. Through :func:`expected_failed_checks` it feeds ``parametrize_with_checks``, which
# marks those checks xfail (strictly: an entry that starts to pass fails the run, to be removed).
# A check that fails for a reason that can be fixed is fixed instead of listed here. Empty: every
# check passes for every contestant, the convolutional nets included (they read flat features as
# images: :class:`shootout.nets.FlatAsImage`).
EXPECTED_FAILED_CHECKS: dict[str, dict[str, str]] = {}


def expected_failed_checks(estimator: Any) -> dict[str, str]:
    """The entries of :data:`EXPECTED_FAILED_CHECKS` for ``estimator``: its class's, and its arch's."""
    name = type(estimator).__name__
    arch = getattr(estimator, "arch", None)
    return {**EXPECTED_FAILED_CHECKS.get(name, {}), **EXPECTED_FAILED_CHECKS.get(f"{name}[{arch}]", {})}


__all__ = [
    "EXPECTED_FAILED_CHECKS",
    "Contestant",
    "Fcann2",
    "ScratchLogreg",
    "SoftmaxRegression",
    "SpeedrunCNN",
    "TorchNet",
    "as_matrix",
    "expected_failed_checks",
]
