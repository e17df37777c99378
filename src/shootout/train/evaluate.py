"""Evaluation of a trained torch classifier: inference mode, large batches, whole-tensor input."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from shootout.data.batches import Batches


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


def predict_logits(model, images, preprocess: Preprocess, batch_size: int = 4096) -> torch.Tensor:
    """Scores (N × C) for uint8 images N×H×W×C (NumPy or a tensor), on the model's device."""
    images_t = _on(model, images)
    labels = torch.zeros(len(images_t), dtype=torch.int64, device=images_t.device)
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            parts = [model.logits(x) for x, _ in preprocess.batches(images_t, labels, batch_size, shuffle=False)]
    finally:
        model.train(was_training)
    return torch.cat(parts) if parts else torch.empty(0)


def evaluate(model, images, labels, preprocess: Preprocess, batch_size: int = 4096) -> dict[str, float]:
    """Accuracy and mean cross-entropy on a labelled set."""
    logits = predict_logits(model, images, preprocess, batch_size)
    target = _on(model, labels)
    loss = F.cross_entropy(logits, target).item()
    accuracy = (logits.argmax(dim=1) == target).float().mean().item()
    return {"accuracy": accuracy, "loss": loss}


def predict_proba(model, images, preprocess: Preprocess, batch_size: int = 4096) -> np.ndarray:
    """Class probabilities (N × C) as a NumPy array."""
    return torch.softmax(predict_logits(model, images, preprocess, batch_size).float(), dim=1).cpu().numpy()
