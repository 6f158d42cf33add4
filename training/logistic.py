"""Standardised logistic regression, one output per label, fitted together: a single linear
layer on standardised inputs, BCE, full-batch L-BFGS with a small L2 penalty on the weights.

Used by the k-mer baseline (``training.baseline``) and by the head refit (``training.head_refit``),
which folds the standardisation into the model's head (``folded``).
"""

import numpy as np
import torch
from numpy.typing import NDArray
from torch import Tensor, nn

L2 = 1e-3
ITERATIONS = 200


class StandardisedLogistic:
    """Standardisation and one logistic regression per label, fitted together.

    ``shared_scale=False`` scales each input by its own standard deviation. ``shared_scale=True``
    divides every input by one scale (their root-mean-square standard deviation), so the L2
    penalty falls evenly on the raw weights: an input that barely varies gets no large weight.
    That is what a head inside a network needs (``training.head_refit``): LayerNorm'd hidden
    states vary by ~0.001-0.03 along many directions, and per-input scaling gave a head with
    weights of norm ~250 and biases of ~200 cancelling each other, exact in fp32 but off by 1.6
    in logfold through the int8 copy and 0.04 through fp16.
    """

    def __init__(self, shared_scale: bool = False) -> None:
        self.shared_scale = shared_scale
        self.mean: NDArray[np.float32] | None = None
        self.scale: NDArray[np.float32] | None = None
        self.linear: nn.Linear | None = None

    def fit(self, inputs: NDArray[np.float32], labels: NDArray[np.uint8]) -> "StandardisedLogistic":
        self.mean = inputs.mean(axis=0)
        deviation = inputs.std(axis=0)
        if self.shared_scale:
            deviation = np.full_like(deviation, np.sqrt(np.mean(deviation**2)))
        self.scale = deviation + 1e-6
        x = torch.from_numpy((inputs - self.mean) / self.scale)
        y = torch.from_numpy(labels.astype(np.float32))
        torch.manual_seed(0)
        self.linear = nn.Linear(x.shape[1], y.shape[1])
        optimizer = torch.optim.LBFGS(self.linear.parameters(), max_iter=ITERATIONS)
        loss_function = nn.BCEWithLogitsLoss()

        def closure() -> Tensor:
            optimizer.zero_grad()
            assert self.linear is not None
            loss: Tensor = loss_function(self.linear(x), y)
            loss = loss + L2 * self.linear.weight.square().sum()
            loss.backward()  # type: ignore[no-untyped-call]
            return loss

        optimizer.step(closure)  # type: ignore[no-untyped-call]
        return self

    def _fitted(self) -> tuple[nn.Linear, NDArray[np.float32], NDArray[np.float32]]:
        if self.linear is None or self.mean is None or self.scale is None:
            raise RuntimeError("fit the logistic regression before using it")
        return self.linear, self.mean, self.scale

    @torch.no_grad()
    def predict(self, inputs: NDArray[np.float32]) -> NDArray[np.float64]:
        linear, mean, scale = self._fitted()
        x = torch.from_numpy((inputs - mean) / scale)
        return torch.sigmoid(linear(x)).numpy().astype(np.float64)

    @torch.no_grad()
    def folded(self) -> tuple[Tensor, Tensor]:
        """Weight ``(labels, inputs)`` and bias ``(labels,)`` that apply to raw inputs: the
        standardisation folded in, ``w / scale`` and ``b - (w / scale) @ mean``."""
        linear, mean, scale = self._fitted()
        weight = linear.weight / torch.from_numpy(scale)
        bias = linear.bias - weight @ torch.from_numpy(mean)
        return weight.clone(), bias.clone()
