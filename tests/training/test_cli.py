from training.cli import (
    FINETUNE_RECIPE,
    PRETRAIN_RECIPE,
    build_parser,
    loop_settings,
    refit_settings,
)
from training.head_refit import HeadRefitSettings


def test_the_commands_default_to_the_demo_models_recipe() -> None:
    parser = build_parser()
    for command, recipe in (("pretrain", PRETRAIN_RECIPE), ("finetune", FINETUNE_RECIPE)):
        args = parser.parse_args([command, "--data", "d", "--out", "m.pt"])
        assert loop_settings(args) == recipe
    assert FINETUNE_RECIPE.linear_decay and FINETUNE_RECIPE.steps == 14000


def test_a_constant_schedule_and_other_settings_can_be_chosen() -> None:
    options = ["--schedule", "constant", "--steps", "50", "--warmup-steps", "10"]
    args = build_parser().parse_args(["finetune", "--data", "d", "--out", "m.pt", *options])
    settings = loop_settings(args)
    assert not settings.linear_decay and settings.steps == 50
    assert settings.learning_rate_factor(49) == 1.0


def test_refit_head_defaults_to_the_demo_models_annotation_refit() -> None:
    parser = build_parser()
    common = ["refit-head", "--data", "d", "--checkpoint", "f.pt", "--out", "m.pt"]
    assert refit_settings(parser.parse_args(common)) == HeadRefitSettings(("annotation",), 40_000)
    chosen = parser.parse_args([*common, "--group", "a", "--group", "b", "--bins", "9"])
    assert refit_settings(chosen) == HeadRefitSettings(("a", "b"), 9)
