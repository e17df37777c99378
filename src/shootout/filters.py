"""Image filtering with hand-made 3×3 kernels, as seed 002 introduces convolution (its ``cv2.filter2D`` step).

Each output pixel is the sum of the kernel times the pixel's 3×3 neighbourhood, the image padded with
zeros, every channel on its own (``cv2.filter2D(image, -1, k)`` with a zero border):

    out[y, x, c] = Σ_{i,j ∈ {-1,0,1}} k[i+1, j+1] · image[y+i, x+j, c]

That is a cross-correlation: the kernel is not flipped. A convolution in the mathematical sense flips it
(``k[::-1, ::-1]``); deep-learning libraries, ``torch.nn.functional.conv2d`` included, compute the
cross-correlation and call it convolution, which is harmless because learned kernels can be flipped
anyway. The filters here are symmetric or antisymmetric, so the difference shows as a sign at most.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

# The seed's three kernels, and a box blur beside them.
FILTERS: dict[str, np.ndarray] = {
    "identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=np.float64),  # returns the image
    "edge": np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=np.float64),  # Sobel: horizontal edges
    "laplacian": np.array([[0, -1, 0], [-1, 8, -1], [0, -1, 0]], dtype=np.float64),  # sharpens, bright on edges
    "blur": np.full((3, 3), 1.0 / 9.0),  # the mean of the neighbourhood
}


def filter2d(images: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Cross-correlate every channel of ``images`` (N×H×W×C, any numeric dtype) with a 2-D ``kernel``.

    Zero padding keeps the size (an odd kernel is centred); the result is float64 N×H×W×C, unclipped.
    Runs ``torch.nn.functional.conv2d`` with one group per channel, so no channel mixes with another.
    """
    images, kernel = np.asarray(images), np.asarray(kernel, dtype=np.float64)
    if images.ndim != 4:
        raise ValueError(f"images must be N×H×W×C, got shape {images.shape}")
    if kernel.ndim != 2 or kernel.shape[0] % 2 == 0 or kernel.shape[1] % 2 == 0:
        raise ValueError(f"kernel must be a 2-D array of odd sides, got shape {kernel.shape}")
    channels = images.shape[-1]
    x = torch.from_numpy(np.ascontiguousarray(images, dtype=np.float64)).permute(0, 3, 1, 2)  # (N, C, H, W)
    weight = torch.from_numpy(kernel).expand(channels, 1, *kernel.shape)  # (C, 1, kh, kw): one kernel a channel
    out = F.conv2d(x, weight, padding=(kernel.shape[0] // 2, kernel.shape[1] // 2), groups=channels)
    return out.permute(0, 2, 3, 1).numpy()  # (N, H, W, C)


def as_uint8(filtered: np.ndarray) -> np.ndarray:
    """Round and clip to 0..255, as ``filter2D`` does when the output keeps the input's uint8 depth."""
    return np.clip(np.rint(filtered), 0, 255).astype(np.uint8)
