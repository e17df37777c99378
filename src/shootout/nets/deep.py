"""pt_deep: configurable fully connected classifier (lab 1), optional batch norm.

config = [D, h1, ..., C]: for each hidden layer k, h_k = f(BN?(h_{k-1} W_k + b_k)); the last layer
gives the scores S = h_{n-2} W_{n-1} + b_{n-1}, P = softmax(S). Weights W_k (in × out) and biases
live in ``nn.ParameterList``s ``weights`` and ``biases``; batch norm (when asked) follows each hidden
affine layer, using batch statistics in ``train()`` mode and running statistics in ``eval()`` mode.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import torch
from torch import nn

from shootout.nets.classifier import Classifier, out_major

# Weight initializations (biases always start at zero), as seed 001 compares them. The standard deviation
# of each weight, for a layer of fan_in inputs and fan_out outputs:
INIT_STD = {
    "he": lambda fan_in, fan_out: (2.0 / fan_in) ** 0.5,  # keeps the variance of ReLU activations
    "xavier": lambda fan_in, fan_out: (2.0 / (fan_in + fan_out)) ** 0.5,  # Glorot: forward and backward
    "normal": lambda fan_in, fan_out: 0.01,  # N(0, 0.01²), the tutorials' default
    "zeros": lambda fan_in, fan_out: 0.0,  # every unit alike: hidden units stay identical (symmetry)
}
INITS = tuple(INIT_STD)


def initial_weight(fan_in: int, fan_out: int, init: str, generator: torch.Generator | None = None) -> torch.Tensor:
    """A fan_in × fan_out weight matrix drawn from N(0, std²) with the std of ``init`` (zeros: all 0)."""
    std = INIT_STD[init](fan_in, fan_out)
    if std == 0.0:
        return torch.zeros(fan_in, fan_out)
    return torch.randn(fan_in, fan_out, generator=generator) * std


class PTDeep(Classifier):
    """Fully connected net for ``config`` = [D, hidden..., C] with ``activation`` between layers.

    init : ``"he"`` — N(0, 2/fan_in) weights (default); ``"xavier"`` — N(0, 2/(fan_in+fan_out));
    ``"normal"`` — N(0, 0.01²); ``"zeros"`` — all zero, sensible only without hidden layers (logistic
    regression as in seed 000): with hidden layers every unit of a layer gets the same gradient and
    they never differ. Biases start at zero.
    """

    def __init__(
        self,
        config: Sequence[int],
        activation: Callable[[torch.Tensor], torch.Tensor] = torch.relu,
        batchnorm: bool = False,
        init: str = "he",
        seed: int | None = None,
    ) -> None:
        super().__init__()
        config = [int(c) for c in config]
        if len(config) < 2 or min(config) < 1:
            raise ValueError(f"PTDeep config needs at least [D, C] with positive sizes, got {config}")
        if init not in INITS:
            raise ValueError(f"init must be one of {INITS}, got {init!r}")
        self.config, self.activation, self.batchnorm, self.init = config, activation, batchnorm, init
        generator = torch.Generator().manual_seed(seed) if seed is not None else None
        pairs = list(itertools.pairwise(config))
        self.weights = nn.ParameterList(  # in × out each, stored out-major: the fast GEMM for narrow layers
            nn.Parameter(out_major(initial_weight(i, o, init, generator))) for i, o in pairs
        )
        self.biases = nn.ParameterList(nn.Parameter(torch.zeros(o)) for _, o in pairs)
        self.norms = nn.ModuleList(nn.BatchNorm1d(o) for _, o in pairs[:-1]) if batchnorm else None

    def extra_repr(self) -> str:
        name = getattr(self.activation, "__name__", repr(self.activation))
        return f"config={self.config}, activation={name}, batchnorm={self.batchnorm}, init={self.init!r}"

    @property
    def input_dim(self) -> int:
        return self.config[0]

    def logits(self, X: torch.Tensor) -> torch.Tensor:
        h = X.reshape(len(X), -1)  # (N, D)
        last = len(self.weights) - 1
        for k, (W, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            h = torch.addmm(b, h, W)  # h W + b in one kernel, (N, config[k+1])
            if k < last:
                if self.norms is not None:
                    h = self.norms[k](h)
                h = self.activation(h)
        return h

    def weight_tensors(self) -> list[torch.Tensor]:
        return list(self.weights)

    def linear_weights(self) -> torch.Tensor | None:
        return self.weights[0] if len(self.weights) == 1 else None  # config [D, C]: logistic regression
