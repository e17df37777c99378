"""Augmentation on whole batches on the device, and test-time augmentation: no per-image Python.

Every function takes a normalized batch N×C×H×W (any memory format) and returns a new one.

- :func:`flip_alternate`: each image is mirrored on the epochs of one parity only. Which parity is drawn
  once per image (``chosen``); after that the flips alternate, so over any two consecutive epochs every
  image is seen once as it is and once mirrored. Random flipping leaves that to chance (a quarter of
  the images would be seen the same way twice in two epochs); the alternating scheme gives the net more
  distinct views for the same number of epochs, which is what counts in a 10-epoch run.
- :func:`translate`: each image moved by up to ``pad`` pixels in each direction, the border filled by
  reflection (reflect-pad, then a random crop of the original size).
- :func:`tta_logits`: the logits of a few fixed views of each image, averaged.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

TTA_LEVELS = (0, 1, 2)  # 0: the image as it is; 1: + its mirror image; 2: + both moved one pixel diagonally


def flip_alternate(x: torch.Tensor, epoch: int, chosen: torch.Tensor) -> torch.Tensor:
    """Mirror (left-right) the images of ``x`` whose ``chosen`` flag (bool, N) differs from ``epoch``'s parity.

    On even epochs the chosen images are mirrored, on odd epochs the others.
    """
    mirror = chosen != bool(epoch % 2)  # (N,)
    return torch.where(mirror.view(-1, 1, 1, 1), x.flip(-1), x)


def translate(x: torch.Tensor, pad: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """Each image moved by its own random offset in [-pad, pad]² (reflection fills the border).

    The offsets are drawn on the generator's device (the CPU's default generator without one) and
    moved to ``x``'s, so a seeded CPU generator gives the same crops on every device.
    """
    if pad == 0:
        return x
    n, _, h, w = x.shape
    padded = F.pad(x, (pad, pad, pad, pad), mode="reflect")  # (N, C, H+2p, W+2p)
    device = generator.device if generator is not None else torch.device("cpu")
    offsets = torch.randint(0, 2 * pad + 1, (n, 2), generator=generator, device=device).to(x.device)  # (N, 2)
    rows = offsets[:, :1] + torch.arange(h, device=x.device)  # (N, H): the padded rows each image keeps
    cols = offsets[:, 1:] + torch.arange(w, device=x.device)  # (N, W)
    which = torch.arange(n, device=x.device).view(n, 1, 1)
    crops = padded.permute(0, 2, 3, 1)[which, rows.view(n, h, 1), cols.view(n, 1, w)]  # (N, H, W, C)
    return crops.permute(0, 3, 1, 2)  # (N, C, H, W), channels-last in memory


def shift_reflect(x: torch.Tensor, dy: int, dx: int) -> torch.Tensor:
    """Every image moved ``dy`` pixels down and ``dx`` right (by at most its padding of 1), reflection filling in."""
    padded = F.pad(x, (1, 1, 1, 1), mode="reflect")  # (N, C, H+2, W+2)
    h, w = x.shape[-2:]
    return padded[..., 1 - dy : 1 - dy + h, 1 - dx : 1 - dx + w]


def tta_logits(
    logits: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, level: int, mirror: bool = True
) -> torch.Tensor:
    """Logits (N × classes) of ``x`` averaged over the views of TTA ``level``.

    logits : the model's function from a batch to its logits. level 0: ``x`` itself; level 1: the mean
    of ``x`` and its mirror image; level 2: one half level 1 of ``x``, one half the mean of level 1 of
    ``x`` moved one pixel up-left and one pixel down-right (so the unmoved views weigh as much as the
    four moved ones together). mirror=False (digits, text: not mirror-symmetric) leaves the mirror
    images out.
    """
    if level not in TTA_LEVELS:
        raise ValueError(f"TTA level must be one of {TTA_LEVELS}, got {level!r}")

    def with_mirror(views: torch.Tensor) -> torch.Tensor:
        if level == 0 or not mirror:
            return logits(views)
        return 0.5 * (logits(views) + logits(views.flip(-1)))

    scores = with_mirror(x)
    if level < 2:
        return scores
    moved = 0.5 * (with_mirror(shift_reflect(x, -1, -1)) + with_mirror(shift_reflect(x, 1, 1)))
    return 0.5 * (scores + moved)
