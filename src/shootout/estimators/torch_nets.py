"""The torch models as one estimator: the architecture by name, trained by :func:`shootout.train.fit`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from shootout.distributed.world import SINGLE, World
from shootout.estimators.recipe_net import RecipeNet
from shootout.nets import FlatAsImage, LeNet, PTDeep, PTLogreg, SmallCNN, square_side
from shootout.train import Recipe, evaluate, fit, predict_proba

ARCHS = ("logreg", "deep", "lenet", "smallcnn")
ACTIVATIONS = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}


class TorchNet(RecipeNet):
    """A torch classifier: ``arch`` (logreg | deep | lenet | smallcnn) trained with ``recipe``.

    hidden : hidden widths for ``deep`` ([D, *hidden, C]); activation : relu | tanh | sigmoid;
    batchnorm : batch norm after hidden layers (deep); init : he | zeros (deep); width : feature maps of
    the first convolution (smallcnn).
    The network is built in ``fit`` from the data's shape, under ``torch.manual_seed(recipe.seed)``.

    X is uint8 images N×H×W×C (kept uint8, normalized per batch) or features N×D (as float32). The
    convolutional nets read a row of features as a one-channel square image (:class:`shootout.nets.FlatAsImage`:
    N×784 -> 28×28; other D zero-padded; too small ones centred in the smallest image the net takes).
    Features always travel in the ``flat`` layout whatever ``recipe.layout`` says: there is no image to
    lay out until the net makes one.
    """

    def __init__(
        self,
        arch: str = "deep",
        hidden: Sequence[int] = (),
        activation: str = "relu",
        batchnorm: bool = False,
        init: str = "he",
        recipe: Recipe | None = None,
        width: int = 16,
    ) -> None:
        self.arch, self.hidden, self.activation = arch, hidden, activation
        self.batchnorm, self.init, self.recipe, self.width = batchnorm, init, recipe, width

    trains_distributed = True  # DistributedDataParallel over the ranks of a launched run

    @property
    def global_batch_size(self) -> int | None:
        """The recipe's batch size: over all processes, each taking an equal share (None: full batch)."""
        return self._recipe().batch_size

    def _recipe(self) -> Recipe:
        return self.recipe if self.recipe is not None else Recipe()

    def build(self, shape: tuple[int, ...], num_classes: int) -> torch.nn.Module:
        """The untrained network for samples of ``shape`` (H×W×C or D)."""
        if self.arch not in ARCHS:
            raise ValueError(f"arch must be one of {ARCHS}, got {self.arch!r}")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {tuple(ACTIVATIONS)}, got {self.activation!r}")
        D = int(np.prod(shape))
        if self.arch == "logreg":
            return PTLogreg(D, num_classes)
        if self.arch == "deep":
            return PTDeep([D, *self.hidden, num_classes], ACTIVATIONS[self.activation], self.batchnorm, self.init)
        if len(shape) == 1:
            cnn = LeNet if self.arch == "lenet" else SmallCNN
            side = max(square_side(D), cnn.MIN_SIDE)
            image_net = self.build((side, side, 1), num_classes)
            return FlatAsImage(image_net, D, side)
        if len(shape) != 3 or shape[0] != shape[1]:
            raise ValueError(f"{self.arch} needs square images H×W×C, got samples of shape {shape}")
        side, channels = shape[0], shape[2]
        if self.arch == "lenet":
            return LeNet(channels, num_classes, side)
        return SmallCNN(channels, num_classes, side, self.width)

    def _fit(
        self,
        X: np.ndarray,
        y: np.ndarray,
        checkpoint: Any = None,
        resume: bool = False,
        log: Any = None,
        progress: bool | None = False,
        watch: tuple[np.ndarray, np.ndarray] | None = None,
        world: World = SINGLE,
    ) -> None:
        recipe = self._recipe_for(X)
        torch.manual_seed(recipe.seed)
        self.model_ = self.build(X.shape[1:], len(self.classes_))
        result = fit(
            self.model_,
            _as_input(X),
            y,
            recipe,
            checkpoint=checkpoint,
            resume=resume,
            log=log,
            progress=progress,
            watch=None if watch is None else (_as_input(watch[0]), watch[1]),
            world=world,
        )
        self.result_, self.history_ = result, result.history
        self.n_params_ = sum(p.numel() for p in self.model_.parameters())
        self.epochs_ = len(result.history)

    def _recipe_for(self, X: np.ndarray) -> Recipe:
        """The recipe, with the ``flat`` layout for features (only images have another layout)."""
        recipe = self._recipe()
        return recipe if X.ndim > 2 or recipe.layout == "flat" else recipe.with_(layout="flat")

    @property
    def coef_(self) -> np.ndarray:
        """Class weights C × D when the net is linear in its input (logreg, deep without hidden layers)."""
        check_is_fitted(self, "model_")
        W = self.model_.linear_weights()
        if W is None:
            raise AttributeError(f"a {self.arch!r} net with hidden layers has no single weight matrix")
        return W.detach().cpu().double().numpy().T

    def fit_facts(self) -> dict[str, Any]:
        """The epoch whose weights were kept (early stopping), whether it stopped early, the epoch that reached
        the recipe's validation target (time to accuracy), and the device; trained by several processes: how
        many, and each rank's seed."""
        facts = {
            "best_epoch": self.result_.best_epoch,
            "stopped_early": self.result_.stopped_early,
            "device": self.result_.device,
        }
        if self._recipe().stop_at is not None:
            facts.update(stop_at=self._recipe().stop_at, reached_target=self.result_.reached_target)
        if self.result_.world_size > 1:
            facts.update(world_size=self.result_.world_size, rank_seeds=list(self.result_.rank_seeds))
        return facts

    def initial_scores(self, X: Any, y: Any) -> dict[str, float]:
        """Cross-entropy (about ln C) and accuracy (about 1/C) of a freshly built, untrained network of this
        recipe on (X, y). Needs the fitted estimator: its classes and its normalization of the input.
        """
        X = self._validate_input(X)
        encoded = self._encode(y)
        if len(encoded) != len(X):
            raise ValueError(f"{len(X)} samples but {len(encoded)} labels")
        torch.manual_seed(self._recipe().seed)
        model = self.build(X.shape[1:], len(self.classes_))
        scores = evaluate(model, _as_input(X), encoded, self.result_.preprocess)
        return {"initial_loss": scores["loss"], "initial_accuracy": scores["accuracy"]}

    def _proba(self, X: np.ndarray, world: World = SINGLE) -> np.ndarray:
        return predict_proba(self.model_, _as_input(X), self.result_.preprocess, self._recipe().eval_batch_size, world)

    def predict_proba_distributed(self, X: Any, world: World) -> np.ndarray:
        """Each rank scores its run of whole evaluation batches; the rows are gathered exactly (see
        :mod:`shootout.train.evaluate`), so every rank gets what :meth:`predict_proba` gives."""
        return self._proba(self._validate_input(X), world)


def _as_input(X: np.ndarray) -> np.ndarray:
    """What the trainer takes: uint8 images as they are, anything else as float32 (the nets' precision)."""
    return X if X.ndim > 2 and X.dtype == np.uint8 else X.astype(np.float32, copy=False)
