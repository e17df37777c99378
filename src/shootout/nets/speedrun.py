"""The speedrun net (after the airbench94 design): a frozen whitening layer, three conv groups, a scaled head.

Read top to bottom: the whitening filters computed from data, one conv group, the net.

- **Whitening.** The first layer is a 2×2 convolution whose filters are the eigenvectors of the
  covariance of the training images' 2×2 patches, each divided by sqrt(eigenvalue + eps), with both
  signs (C·2·2 eigenvectors -> 2·C·4 channels: 24 for colour images, 8 for grey ones). Its output
  decorrelates neighbouring pixels before anything is learned, which is worth several epochs of
  training; its weights stay frozen (only its bias trains, for the first few epochs).
- **Conv groups** (widths 64/256/256 for CIFAR-10): conv 3×3 -> max-pool 2 -> batch norm -> GELU ->
  conv 3×3 -> batch norm -> GELU. The batch norms learn only their bias (their scale stays 1), and the
  first convolution of each group starts as an identity on its first input channels (a Dirac filter),
  so a fresh net passes its input through and trains from a useful start.
- **Head.** A global max-pool and a linear layer without bias whose output is multiplied by a constant
  (1/9): the small logits at the start keep the first, large learning-rate steps from saturating the
  softmax.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from shootout.nets.classifier import Classifier

WHITEN_EPS = 5e-4  # added to each eigenvalue: keeps the near-empty directions of the patch space from exploding


def whitening_filters(
    images: torch.Tensor, kernel: int = 2, eps: float = WHITEN_EPS, chunk: int = 1024
) -> tuple[torch.Tensor, torch.Tensor]:
    """The frozen first layer computed from (normalized) images N×C×H×W: (weight, bias).

    weight : 2·C·k² × C × k × k, the eigenvectors of the k×k patch covariance scaled by
    1/sqrt(eigenvalue + eps), then the same filters negated (a GELU after this layer would otherwise keep
    only one half of each whitened direction). bias : -weight · (mean patch), so the whitened patches of
    these images have mean 0 and covariance diag(λ / (λ + eps)), the identity where λ ≫ eps.
    The second moments are summed in float64 over chunks of ``chunk`` images: all 50,000 CIFAR-10
    images' 2×2 patches at once would take 2.3 GB as float32.
    """
    if images.ndim != 4:
        raise ValueError(f"images must be N×C×H×W, got shape {tuple(images.shape)}")
    n, c, h, w = images.shape
    if n == 0 or h < kernel or w < kernel:
        raise ValueError(
            f"need at least one image of at least {kernel}×{kernel} pixels, got shape {tuple(images.shape)}"
        )
    d = c * kernel * kernel
    total = torch.zeros(d, dtype=torch.float64, device=images.device)
    outer = torch.zeros(d, d, dtype=torch.float64, device=images.device)
    count = 0
    for start in range(0, n, chunk):
        part = images[start : start + chunk].unfold(2, kernel, 1).unfold(3, kernel, 1)  # (n, C, H', W', k, k), a view
        patches = part.permute(0, 2, 3, 1, 4, 5).reshape(-1, d).to(torch.float64)  # (n·H'·W', C·k·k), weight order
        total += patches.sum(dim=0)
        outer += patches.T @ patches
        count += len(patches)
    mean = total / count
    covariance = outer / count - torch.outer(mean, mean)  # (d, d)
    eigenvalues, eigenvectors = torch.linalg.eigh(covariance)  # ascending; columns are the eigenvectors
    eigenvalues = eigenvalues.clamp(min=0)  # rounding can leave the smallest a hair below zero
    filters = (eigenvectors / torch.sqrt(eigenvalues + eps)).T.flip(0)  # (d, d): one row per filter, largest λ first
    weight = torch.cat([filters, -filters]).reshape(2 * d, c, kernel, kernel)
    bias = -(torch.cat([filters, -filters]) @ mean)
    return weight.to(images.dtype), bias.to(images.dtype)


class BiasOnlyNorm(nn.BatchNorm2d):
    """Batch norm whose scale is fixed at 1: only its bias (the shift) is learned."""

    def __init__(self, channels: int, momentum: float = 0.4, eps: float = 1e-12) -> None:
        super().__init__(channels, eps=eps, momentum=momentum)
        self.weight.requires_grad_(False)


class ConvGroup(nn.Module):
    """conv 3×3 -> max-pool 2 -> BN -> GELU -> conv 3×3 -> BN -> GELU: halves the side, sets the width."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False)
        self.norm1 = BiasOnlyNorm(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.norm2 = BiasOnlyNorm(out_channels)
        with torch.no_grad():  # the first filters start as the identity on the input channels (Dirac)
            nn.init.dirac_(self.conv1.weight[: min(in_channels, out_channels)])
            nn.init.dirac_(self.conv2.weight[: out_channels // 2])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.max_pool2d(self.conv1(x), 2)  # (N, out, H/2, W/2)
        x = F.gelu(self.norm1(x))
        return F.gelu(self.norm2(self.conv2(x)))  # (N, out, H/2, W/2)


class SpeedrunNet(Classifier):
    """Whitening 2×2 conv -> GELU -> three conv groups -> global max-pool -> linear head × ``head_scale``.

    Input N×C×S×S with S ≥ 9 (the 2×2 whitening conv and three poolings leave at least one pixel).
    ``set_whitening`` must be called with training images before training (the layer starts at zero).
    """

    WHITEN_KERNEL = 2
    MIN_SIDE = WHITEN_KERNEL - 1 + 8

    def __init__(
        self,
        in_channels: int = 3,
        num_classes: int = 10,
        widths: Sequence[int] = (64, 256, 256),
        head_scale: float = 1 / 9,
    ) -> None:
        super().__init__()
        if len(widths) != 3 or min(widths) < 1:
            raise ValueError(f"widths must be three positive numbers of channels, got {tuple(widths)}")
        self.in_channels, self.num_classes, self.widths = in_channels, num_classes, tuple(widths)
        self.head_scale = head_scale
        whitened = 2 * in_channels * self.WHITEN_KERNEL**2
        self.whiten = nn.Conv2d(in_channels, whitened, self.WHITEN_KERNEL)
        self.whiten.weight.requires_grad_(False)
        nn.init.zeros_(self.whiten.weight)
        nn.init.zeros_(self.whiten.bias)
        self.groups = nn.Sequential(
            ConvGroup(whitened, widths[0]), ConvGroup(widths[0], widths[1]), ConvGroup(widths[1], widths[2])
        )
        self.head = nn.Linear(widths[2], num_classes, bias=False)

    def extra_repr(self) -> str:
        return (
            f"in_channels={self.in_channels}, num_classes={self.num_classes}, widths={self.widths}, "
            f"head_scale={self.head_scale:.4g}"
        )

    @torch.no_grad()
    def set_whitening(self, images: torch.Tensor, eps: float = WHITEN_EPS) -> None:
        """Set the whitening layer from normalized training images N×C×H×W (see :func:`whitening_filters`)."""
        weight, bias = whitening_filters(images.float(), self.WHITEN_KERNEL, eps)
        self.whiten.weight.copy_(weight)
        self.whiten.bias.copy_(bias)

    def logits(self, X: torch.Tensor) -> torch.Tensor:
        if min(X.shape[-2:]) < self.MIN_SIDE:
            raise ValueError(f"the speedrun net needs images of side >= {self.MIN_SIDE}, got {tuple(X.shape[-2:])}")
        x = F.gelu(self.whiten(X))  # (N, 2·C·4, S-1, S-1)
        x = self.groups(x)  # (N, widths[2], (S-1)/8, (S-1)/8)
        x = torch.amax(x, dim=(2, 3))  # global max-pool: (N, widths[2])
        return self.head(x) * self.head_scale  # (N, classes)

    @torch.no_grad()
    def folded(self) -> SpeedrunNet:
        """A copy for inference, in eval mode, with each batch norm folded into the conv before it: the same function.

        In eval mode a batch norm is the per-channel affine map x · s + b', s = weight / sqrt(running_var + eps),
        b' = bias - running_mean · s; it moves into the conv's weight (× s) and bias (b'). The first conv of a
        group is max-pooled before its norm, which commutes with the map only where s > 0 (the scale stays 1
        here; a norm with a scale of another sign is left in place). Fewer passes over the activations: ×1.05
        predicting CIFAR-10 test images on a loaded CPU, ×1.01 on an idle one (``python -m benchmarks.ablations
        --only folded-batch-norms``); on a GPU, where the batch norms are separate kernels, it may count for more.
        """
        net = copy.deepcopy(self).eval()
        for group in net.groups:
            for conv_name, norm_name in (("conv1", "norm1"), ("conv2", "norm2")):
                conv, norm = getattr(group, conv_name), getattr(group, norm_name)
                scale = norm.weight / torch.sqrt(norm.running_var + norm.eps)  # (out,)
                if conv_name == "conv1" and not bool((scale > 0).all()):
                    continue
                conv.weight.mul_(scale.view(-1, 1, 1, 1))  # in place: keeps the weight's memory format
                conv.bias = nn.Parameter(norm.bias - norm.running_mean * scale, requires_grad=False)
                setattr(group, norm_name, nn.Identity())
        return net

    def weight_tensors(self) -> list[torch.Tensor]:
        """The learned weights (weight decay applies to these): every conv and the head, not the frozen whitening."""
        return [m.weight for m in self.groups.modules() if isinstance(m, nn.Conv2d)] + [self.head.weight]

    def norm_biases(self) -> list[torch.Tensor]:
        """The batch norms' biases: trained with a larger learning rate and no weight decay."""
        return [m.bias for m in self.groups.modules() if isinstance(m, nn.BatchNorm2d)]
