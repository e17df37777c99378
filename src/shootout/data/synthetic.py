"""The lab's synthetic 2-D data: Gaussian classes and Gaussian mixtures, seeded through a Generator.

Each Gaussian has a mean drawn uniformly in the square [0, 10]², and a covariance built from random
eigenvalues ((U(0,1)·10/5)²) rotated by a random angle, as in the lab's ``Random2DGaussian``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RANGE = (0.0, 10.0)
SCALE_COV = 5.0


def _rng(rng: np.random.Generator | int | None) -> np.random.Generator:
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


def random_gaussian_2d(rng: np.random.Generator | int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Draw one bivariate Gaussian: returns (mean (2,), covariance (2, 2))."""
    rng = _rng(rng)
    low, high = RANGE
    mean = rng.uniform(low, high, size=2)
    eigvals = (rng.random(2) * (high - low) / SCALE_COV) ** 2
    theta = rng.random() * 2 * np.pi
    rotation = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    cov = rotation.T @ np.diag(eigvals) @ rotation
    return mean, cov


@dataclass(frozen=True)
class Mixture2D:
    """K bivariate Gaussians, each with a class; :meth:`sample` draws N points from every one."""

    means: tuple[np.ndarray, ...]
    covariances: tuple[np.ndarray, ...]
    classes: np.ndarray  # (K,) int64

    def sample(self, N: int, rng: np.random.Generator | int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """X (K·N × 2, float64) and Y_ (K·N, int64), component by component."""
        rng = _rng(rng)
        pairs = zip(self.means, self.covariances, strict=True)
        X = np.concatenate([rng.multivariate_normal(m, c, size=N) for m, c in pairs])
        return X, np.repeat(self.classes, N)


def random_mixture_2d(K: int, C: int | None = None, rng: np.random.Generator | int | None = None) -> Mixture2D:
    """K random Gaussians; with C, each gets a random class in 0..C-1, else component k is class k."""
    rng = _rng(rng)
    components = [random_gaussian_2d(rng) for _ in range(K)]
    classes = rng.integers(0, C, size=K) if C is not None else np.arange(K)
    return Mixture2D(tuple(m for m, _ in components), tuple(c for _, c in components), classes.astype(np.int64))


def sample_gauss_2d(C: int, N: int, rng: np.random.Generator | int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``N`` points from each of ``C`` random Gaussians, class i from Gaussian i.

    Returns X (C·N × 2, float64) and Y_ (C·N, int64).
    """
    if C < 1 or N < 1:
        raise ValueError(f"sample_gauss_2d needs C >= 1 and N >= 1, got C={C}, N={N}")
    rng = _rng(rng)
    return random_mixture_2d(C, None, rng).sample(N, rng)


def sample_gmm_2d(
    K: int, C: int, N: int, rng: np.random.Generator | int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``N`` points from each of ``K`` random Gaussians, each given a random class in 0..C-1.

    Returns X (K·N × 2, float64) and Y_ (K·N, int64).
    """
    if K < 1 or C < 1 or N < 1:
        raise ValueError(f"sample_gmm_2d needs K, C, N >= 1, got K={K}, C={C}, N={N}")
    rng = _rng(rng)
    return random_mixture_2d(K, C, rng).sample(N, rng)
