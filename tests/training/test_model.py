import math

import torch

from core.kmers import Vocabulary
from training.model import LogoConfig, LogoModel, parameter_count

VOCABULARY = Vocabulary(5).size


def test_919_output_model_is_within_1_percent_of_logo_919() -> None:
    count = parameter_count(LogoModel(LogoConfig(vocab_size=VOCABULARY, outputs=919)))
    assert count == 1_525_271
    assert abs(count - 1_526_679) / 1_526_679 < 0.01


def test_the_block_is_shared_between_its_two_applications() -> None:
    model = LogoModel(LogoConfig(vocab_size=VOCABULARY, outputs=4))
    blocks = [name for name, _ in model.named_modules() if name.endswith("block")]
    assert blocks == ["encoder.block"]
    assert model.config.block_applications == 2


def hand_set_model(outputs: int = 2) -> LogoModel:
    """Every weight zero, head biases 0 and log(3): probabilities are exactly 0.5 and 0.75."""
    model = LogoModel(LogoConfig(vocab_size=VOCABULARY, outputs=outputs))
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.zero_()
        model.head.bias.copy_(torch.tensor([0.0, math.log(3.0)]))
    return model.eval()


def test_a_model_with_hand_set_weights_gives_known_probabilities() -> None:
    tokens = torch.randint(4, VOCABULARY, (3, 201))
    probabilities = hand_set_model().probabilities(tokens)
    assert torch.allclose(probabilities, torch.tensor([[0.5, 0.75]] * 3))
