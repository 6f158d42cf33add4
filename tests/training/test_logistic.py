import numpy as np
import pytest
import torch

from training.logistic import StandardisedLogistic


def test_folded_weights_on_raw_inputs_give_the_fitted_probabilities() -> None:
    rng = np.random.default_rng(0)
    inputs = (rng.normal(size=(400, 3)) * [1.0, 10.0, 0.1] + [5.0, -3.0, 0.0]).astype(np.float32)
    labels = np.stack([inputs[:, 0] > 5.0, inputs[:, 1] + 30 * inputs[:, 2] > -3.0], axis=1)
    fitted = StandardisedLogistic().fit(inputs, labels.astype(np.uint8))
    weight, bias = fitted.folded()
    folded = torch.sigmoid(torch.from_numpy(inputs) @ weight.T + bias).numpy()
    assert np.allclose(folded, fitted.predict(inputs), atol=1e-5)
    assert ((fitted.predict(inputs) > 0.5) == labels).mean() > 0.95  # separable labels learned


def test_using_it_before_fitting_says_to_fit() -> None:
    with pytest.raises(RuntimeError, match="fit the logistic regression"):
        StandardisedLogistic().folded()


def test_a_shared_scale_gives_no_large_weight_to_an_input_that_barely_varies() -> None:
    rng = np.random.default_rng(1)
    signal = rng.normal(size=2000)
    labels = (signal + rng.normal(size=2000) > 0).astype(np.uint8)[:, None]
    # the same signal twice: at unit scale, and at 1/1000 of it plus a little noise
    faint = 1e-3 * (signal + 0.5 * rng.normal(size=2000))
    inputs = np.stack([signal, faint], axis=1).astype(np.float32)
    per_input, _ = StandardisedLogistic().fit(inputs, labels).folded()
    shared, _ = StandardisedLogistic(shared_scale=True).fit(inputs, labels).folded()
    assert abs(float(per_input[0, 1])) > 100  # the faint copy, rescaled, weighs as much
    assert abs(float(shared[0, 1])) < 10 and float(shared[0, 0]) > 1
