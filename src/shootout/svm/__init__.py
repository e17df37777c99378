"""Kernel SVMs: the lab's ``KSVMWrap`` over scikit-learn's SVC, a Nystroem kernel machine that scales to
all of MNIST, and both as shootout contestants.

- :mod:`shootout.svm.ksvm_wrap` — ``KSVMWrap`` (lab 1: trained when constructed, ``predict``,
  ``get_scores``, ``support``), one-vs-one for many classes;
- :mod:`shootout.svm.nystroem` — ``EighNystroem``, scikit-learn's Nystroem factored by ``eigh``;
- :mod:`shootout.svm.estimators` — the contestants ``SVM`` and ``NystroemSVM``.
"""

from shootout.svm.estimators import SVM, NystroemSVM
from shootout.svm.ksvm_wrap import KSVMWrap
from shootout.svm.nystroem import EighNystroem

__all__ = ["SVM", "EighNystroem", "KSVMWrap", "NystroemSVM"]
