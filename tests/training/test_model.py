import math
from dataclasses import replace

import pytest
import torch

from core.kmers import PAD, Vocabulary
from training.model import LogoConfig, LogoEncoder, LogoModel, parameter_count

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


def test_kmer_embeddings_start_from_their_bases() -> None:
    torch.manual_seed(0)
    weight = LogoEncoder(
        LogoConfig(vocab_size=Vocabulary(5).size, outputs=1)
    ).token_embedding.weight
    acgtn = weight[Vocabulary(5).kmer_id("ACGTN")].detach()
    # base i sets dimension 4i + code(base): A0 -> 0, C1 -> 5, G2 -> 10, T3 -> 15; N sets none
    raised = sorted(torch.topk(acgtn[:20], 4).indices.tolist())
    assert raised == [0, 5, 10, 15]
    assert torch.allclose(acgtn[[0, 5, 10, 15]], torch.full((4,), 0.2), atol=0.1)
    assert bool((acgtn[16:20].abs() < 0.1).all())
    assert weight[PAD].abs().sum() == 0  # padding stays zero


def test_a_cls_mean_head_reads_the_cls_token_and_the_mean_of_all_hidden_states() -> None:
    torch.manual_seed(0)
    model = LogoModel(LogoConfig(vocab_size=VOCABULARY, outputs=3, head_input="cls+mean")).eval()
    assert model.head.weight.shape == (3, 512)
    tokens = torch.randint(4, VOCABULARY, (2, 201))
    with torch.no_grad():
        hidden = model.encoder(tokens)
        by_hand = model.head(torch.cat([hidden[:, 0], hidden.mean(dim=1)], dim=-1))
        assert torch.allclose(model(tokens), by_hand)
        model.head.weight[:, 256:] = 0  # no weight on the mean: the cls head's logits
        assert torch.allclose(model(tokens), hidden[:, 0] @ model.head.weight[:, :256].T)


@pytest.mark.parametrize("shared_blocks", [True, False])
def test_a_cls_head_computes_the_last_application_for_the_first_token_alone(
    shared_blocks: bool,
) -> None:
    """The same logits as the whole last application's first token, from a (B, 1, C) state:
    its query attends to every token's keys and values; gradients agree as well."""
    torch.manual_seed(0)
    config = LogoConfig(vocab_size=VOCABULARY, outputs=3, shared_blocks=shared_blocks)
    model = LogoModel(config).eval()
    assert model.reads_first_token_only
    tokens = torch.randint(4, VOCABULARY, (4, 201))
    whole = model.encoder(tokens)
    first = model.encoder(tokens, first_only=True)
    assert whole.shape == (4, 201, 256) and first.shape == (4, 1, 256)
    assert torch.allclose(first[:, 0], whole[:, 0], atol=1e-6)
    by_hand = model.head(whole[:, 0])
    logits = model(tokens)
    assert torch.allclose(logits, by_hand, atol=1e-6)
    weight = model.encoder.projection.weight
    (gradient,) = torch.autograd.grad(logits.sum(), weight)
    (by_hand_gradient,) = torch.autograd.grad(by_hand.sum(), weight)
    assert torch.allclose(gradient, by_hand_gradient, atol=1e-5)
    assert not LogoModel(replace(config, head_input="cls+mean")).reads_first_token_only


def test_an_unknown_head_input_names_the_choices() -> None:
    with pytest.raises(ValueError, match="cls, cls\\+mean"):
        LogoConfig(vocab_size=VOCABULARY, outputs=1, head_input="max")


def test_logos_configuration_has_logo_919s_parameters_but_the_folded_segment_table() -> None:
    logo = LogoConfig(vocab_size=Vocabulary(5, "logo-ngram-v1").size, outputs=919, norm_eps=1e-12)
    # LOGO-919 holds 1,526,679 values; its 2 x 128 segment table folds into the positions
    assert parameter_count(LogoModel(logo)) == 1_526_679 - 2 * 128
    unshared = LogoModel(replace(logo, shared_blocks=False))
    blocks = [name for name, _ in unshared.named_modules() if name.startswith("encoder.blocks.")]
    assert [b for b in blocks if b.count(".") == 2] == ["encoder.blocks.0", "encoder.blocks.1"]
    norms = [m.eps for m in unshared.modules() if isinstance(m, torch.nn.LayerNorm)]
    assert norms == [1e-12] * 5
    tokens = torch.randint(10, 3135, (2, 200))
    assert unshared(tokens).shape == (2, 919)
