"""What every contestant shares: the scikit-learn estimator contract, and the protocol experiments read.

X is either uint8 images N×H×W×C or a feature matrix N×D; y holds class labels of any kind (strings,
arbitrary integers), encoded to 0..C-1 in ``fit`` (``classes_`` maps back). Hyper-parameters are keyword
arguments that ``__init__`` only stores, so ``clone``, ``cross_val_score`` and pipelines work; learned
state ends in ``_``.

Input is checked once, here, with scikit-learn's own validation (:func:`~sklearn.utils.validation.validate_data`,
:func:`~sklearn.utils.multiclass.check_classification_targets`), so every contestant refuses what
scikit-learn's estimators refuse, with their messages: sparse, complex, NaN/inf or empty X, 1-D X,
continuous targets, predicting before ``fit`` or on a different number of features. uint8 input stays
uint8 (60,000 MNIST images as float64 would take 8 times the memory; the models scale them per batch);
float32 stays float32; any other numeric X (integers, bools, objects holding numbers) becomes float64.
``n_features_in_`` is scikit-learn's ``X.shape[1]`` (H for images); ``input_shape_`` is the whole
shape of one sample, which ``predict`` checks as well.

The protocol. The experiment layer (runner, pictures, report) knows a contestant only through these,
so a new kind of contestant needs no change there:

- ``fit(X, y, *, checkpoint=None, resume=False, log=None, progress=False, world=None)``: the run's
  context. A contestant that trains in epochs may save progress at ``checkpoint`` and continue from it
  with ``resume``, report one line per epoch to ``log`` and show a progress bar; others ignore them.
  ``world`` (several processes launched together, :mod:`shootout.distributed`) is given only to a
  contestant whose ``trains_distributed`` is True, on every rank at once.
- ``trains_distributed``: whether ``fit`` can train over several processes together; the others train
  on rank 0 alone. ``global_batch_size``: the samples of one step over all processes (None: no minibatches,
  or the whole set); :meth:`predict_proba_distributed`: every rank's share of a prediction, gathered.
- ``predict_proba(X)``, ``classes_``; ``n_params_`` (learned numbers) and ``epochs_`` (passes over
  the training data); ``history_``: one dict per epoch (``epoch``, ``train_loss``, ``train_accuracy``,
  ``val_loss``, ``val_accuracy``, ``lr``, ``seconds`` where known), empty for closed-form fits.
- ``coef_`` (C × D), only where the model is linear in its input pixels: drawn as one image per class.
- ``support_``, only where the model rests on some training samples (support vectors): their
  indices, emphasized in decision-surface pictures.
- ``scoring_samples``: how many training samples, at most, the runner scores the fitted and the untrained
  model on (train accuracy, initial loss); 10,000 unless a contestant's predictions are costlier.
- :meth:`warm_up`: pay one-time library costs before any fit is timed;
- :meth:`with_overrides`: a fresh copy with a run's command-line overrides applied where they mean
  something for this contestant; :meth:`describe`: the hyper-parameters as plain data;
  :meth:`fit_facts`: what the report lists about the fit; :meth:`initial_scores`: the loss and accuracy
  before training.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from shootout.distributed.world import World

# What X may be: 2-D features or N-D images (but never 1-D); dtypes in this list are kept, any other
# becomes the first (float64), so uint8 images are not copied and float32 features not widened.
INPUT_CHECKS: dict[str, Any] = dict(
    accept_sparse=False, dtype=[np.float64, np.float32, np.uint8], ensure_2d=True, allow_nd=True
)


def as_matrix(X: Any, scale: float = 1.0, dtype: type = np.float64) -> np.ndarray:
    """Images or features -> N×D of ``dtype`` (float64 or float32) divided by ``scale``, in that dtype."""
    X = np.asarray(X)
    if X.ndim < 2:
        raise ValueError(f"X must be images N×H×W×C or features N×D, got shape {X.shape}")
    return X.reshape(len(X), -1).astype(dtype) / dtype(scale)


def plain(value: Any) -> Any:
    """A hyper-parameter as JSON-ready data: a recipe-like object becomes its fields, a tuple a list."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    return list(value) if isinstance(value, tuple) else value


class Contestant(ClassifierMixin, BaseEstimator):
    """Base of every shootout estimator: label encoding, ``predict`` from ``predict_proba``, the protocol.

    Subclasses implement ``_fit(X, y_encoded, **context)`` and ``_proba(X)``, which receive validated
    arrays (see the module docstring), and set ``n_params_`` and ``epochs_``; they override the
    protocol's methods where they have more to say.
    """

    history_: list[dict[str, Any]]
    trains_distributed = False  # True where fit(world=...) trains over several processes together
    # Training samples that stand for the training split when a run scores it after the fit (train accuracy)
    # and before it (the untrained model's loss): a larger split is scored on a fixed sample this big.
    scoring_samples = 10_000

    @property
    def global_batch_size(self) -> int | None:
        """Samples per step over all processes; None where the contestant does not train in minibatches."""
        return None

    def fit(
        self,
        X: Any,
        y: Any,
        *,
        checkpoint: Any = None,
        resume: bool = False,
        log: Any = None,
        progress: bool | None = False,
        watch: tuple[Any, Any] | None = None,
        world: World | None = None,
    ) -> Contestant:
        """Learn from X and labels y; the keyword arguments are the run's context, as the protocol says.

        They are spelled out (no ``**kwargs``) so that an argument a contestant does not take, such as
        ``sample_weight``, fails loudly instead of being silently ignored. ``watch``: a labelled set
        (X, y) that a contestant training in epochs scores after each one, into ``history_`` only, as
        the tutorials print test accuracy per epoch; nothing is ever chosen by it. ``world``: the
        processes training together, each calling ``fit`` with the same arguments (only where
        ``trains_distributed``).
        """
        X, y = validate_data(self, X, y, **INPUT_CHECKS)
        if X.ndim not in (2, 4):
            raise ValueError(f"X must be images N×H×W×C or features N×D, got shape {X.shape}")
        check_classification_targets(y)
        self.classes_, encoded = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(f"need at least two classes to train a classifier; got 1 class ({self.classes_[0]!r})")
        self.input_shape_ = X.shape[1:]
        self.history_ = []
        context = dict(checkpoint=checkpoint, resume=resume, log=log, progress=progress)
        if watch is not None:
            context["watch"] = (self._validate_input(watch[0]), self._encode(watch[1]))
        if world is not None and world.distributed:
            if not self.trains_distributed:
                raise ValueError(f"{type(self).__name__} trains in one process; fit it on one rank without world")
            context["world"] = world
        self._fit(X, encoded.astype(np.int64), **context)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities N × C, columns in the order of ``classes_``."""
        return self._proba(self._validate_input(X))

    def predict_proba_distributed(self, X: Any, world: World) -> np.ndarray:
        """:meth:`predict_proba` with every rank of ``world`` calling it on the same X: each may compute
        a share and all get every row. By default each rank simply computes all of them."""
        return self.predict_proba(X)

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each sample, as one of ``classes_``."""
        proba = self.predict_proba(X)  # first: it raises NotFittedError where ``classes_`` is missing
        return self.classes_[proba.argmax(axis=1)]

    def _validate_input(self, X: Any) -> np.ndarray:
        """X checked against the fitted estimator: scikit-learn's checks, then the whole sample shape."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, **INPUT_CHECKS)
        if X.shape[1:] != self.input_shape_:
            raise ValueError(
                f"X has samples of shape {X.shape[1:]}, but {type(self).__name__} was fitted on "
                f"samples of shape {self.input_shape_}"
            )
        return X

    def _encode(self, y: Any) -> np.ndarray:
        """Labels -> their indices in ``classes_`` (int64); a label not seen in ``fit`` is refused."""
        y = column_or_1d(y, warn=True)
        encoded = np.searchsorted(self.classes_, y)
        known = encoded < len(self.classes_)
        known[known] = self.classes_[encoded[known]] == y[known]
        if not known.all():
            raise ValueError(f"y holds labels not seen in fit: {np.unique(y[~known])[:5].tolist()}")
        return encoded.astype(np.int64)

    def warm_up(self) -> None:
        """Pay this kind of contestant's one-time library costs now, so no timed fit is charged them."""

    def with_overrides(self, **overrides: Any) -> Contestant:
        """A fresh (unfitted) copy with each override applied to the hyper-parameter of the same name.

        Overrides that name no hyper-parameter of this contestant do not apply to it and are skipped
        (``--lr`` means nothing to an SVM); the original is left untouched.
        """
        own = self.get_params(deep=False)
        return clone(self).set_params(**{k: v for k, v in overrides.items() if k in own})

    def describe(self) -> dict[str, Any]:
        """The hyper-parameters as plain data, and the class name."""
        return {**{k: plain(v) for k, v in self.get_params(deep=False).items()}, "class": type(self).__name__}

    def fit_facts(self) -> dict[str, Any]:
        """What the report lists about the last fit beyond accuracy and time (none by default)."""
        return {}

    def initial_scores(self, X: Any, y: Any) -> dict[str, float]:
        """``initial_loss`` and ``initial_accuracy`` of the untrained model on (X, y), where it has one
        (a model that starts from weights; none for a closed-form fit, so none here)."""
        return {}

    def initial_loss(self, X: Any, y: Any) -> float | None:
        """Cross-entropy of the untrained model on (X, y), where that means something."""
        return self.initial_scores(X, y).get("initial_loss")

    def _fit(self, X: np.ndarray, y: np.ndarray, **context: Any) -> None:
        """Learn from validated X and labels encoded 0..C-1; ``context`` as :meth:`fit` takes it."""
        raise NotImplementedError

    def _proba(self, X: np.ndarray) -> np.ndarray:
        """Probabilities N × C for validated X of the fitted sample shape."""
        raise NotImplementedError
