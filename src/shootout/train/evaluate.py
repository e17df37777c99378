"""Evaluation of a trained torch classifier: inference mode, large batches, whole-tensor input."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from shootout.data.batches import Batches

# Rows per evaluation batch when none is asked for. On the CPU (2 cores, measured by
# ``python -m benchmarks.ablations``) LeNet on the MNIST test set is fastest at 256 (1024: +40 %, its
# feature maps leave the cache; 64: +20 %) and an MLP within 8 % of its best; a GPU wants big batches.
EVAL_BATCH = {"cpu": 256, "cuda": 4096}


def eval_batch_size(device: torch.device | str) -> int:
    """The default evaluation batch for ``device``."""
    return EVAL_BATCH.get(torch.device(device).type, EVAL_BATCH["cpu"])


@dataclass(frozen=True)
class Preprocess:
    """How images become model input: x = (uint8 - mean) / std, in ``layout``."""

    mean: tuple[float, ...]
    std: tuple[float, ...]
    layout: str

    def batches(self, images: torch.Tensor, labels: torch.Tensor, batch_size: int | None, **kwargs) -> Batches:
        return Batches(images, labels, batch_size, mean=self.mean, std=self.std, layout=self.layout, **kwargs)


def _on(model: torch.nn.Module, array) -> torch.Tensor:
    device = next(model.parameters()).device
    return torch.as_tensor(array).to(device)


def predict_logits(model, images, preprocess: Preprocess, batch_size: int | None = None) -> torch.Tensor:
    """Scores (N × C) for uint8 images N×H×W×C (NumPy or a tensor), on the model's device.

    batch_size : rows per forward pass (None: :func:`eval_batch_size` of the model's device).
    """
    images_t = _on(model, images)
    batch_size = batch_size or eval_batch_size(images_t.device)
    labels = torch.zeros(len(images_t), dtype=torch.int64, device=images_t.device)
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            parts = [model.logits(x) for x, _ in preprocess.batches(images_t, labels, batch_size, shuffle=False)]
    finally:
        model.train(was_training)
    return torch.cat(parts) if parts else torch.empty(0)


def evaluate(model, images, labels, preprocess: Preprocess, batch_size: int | None = None) -> dict[str, float]:
    """Accuracy and mean cross-entropy on a labelled set."""
    logits = predict_logits(model, images, preprocess, batch_size)
    target = _on(model, labels)
    loss = F.cross_entropy(logits, target).item()
    accuracy = (logits.argmax(dim=1) == target).float().mean().item()
    return {"accuracy": accuracy, "loss": loss}


def predict_proba(model, images, preprocess: Preprocess, batch_size: int | None = None) -> np.ndarray:
    """Class probabilities (N × C) as a NumPy array."""
    return torch.softmax(predict_logits(model, images, preprocess, batch_size).float(), dim=1).cpu().numpy()
