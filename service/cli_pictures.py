"""``logoscore ism REGION -o map.svg`` (in-silico mutagenesis: a heatmap, or the matrices as
JSON) and ``logoscore plot VARIANT -o fig.svg``, offline with the model, as ``POST /ism`` and
``GET /score/plot`` draw them; the format follows the output's name (``.svg``, ``.png``,
``.json`` for ISM)."""

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from core.ism import RegionError, mutagenesis_region
from core.regions import parse_region
from core.status import Status
from core.variants import InvalidInput, parse_variant_string
from service.cli_score import EXIT_FAILED, EXIT_OPTIONS, fail, output_bytes
from service.mutagenesis import mutagenesis
from service.mutagenesis_schemas import ism_response
from service.outputs.provenance import Provenance
from service.plots.counts import (
    DEFAULT_FEATURES_DRAWN,
    DEFAULT_FEATURES_PLOTTED,
    MAX_FEATURES_DRAWN,
    MAX_FEATURES_PLOTTED,
)
from service.progress import Progress
from service.results import model_info, reference_info
from service.scoring.engine import open_engine
from service.selection import SelectionError, result_view
from service.settings import Settings

SettingsOf = Callable[[argparse.Namespace], Settings]


def add_picture_commands(
    commands: "argparse._SubParsersAction[argparse.ArgumentParser]", settings_of: SettingsOf
) -> None:
    ism = commands.add_parser(
        "ism",
        help="in-silico mutagenesis of a region: a heatmap (.svg, .png) or matrices (.json)",
        description="Change every base of REGION to each of the three others and score each "
        "SNV as `logoscore score` would; no length limit here (POST /ism has one).",
    )
    ism.add_argument("region", help="CHROM:START-END, 1-based inclusive, e.g. 20:1292001-1292100")
    plot = commands.add_parser("plot", help="the picture of one variant's effects (.svg or .png)")
    plot.add_argument("variant", help="one variant, e.g. 20:1292033:C:T")
    plot.add_argument(
        "--top",
        type=int,
        default=DEFAULT_FEATURES_PLOTTED,
        choices=range(1, MAX_FEATURES_PLOTTED + 1),
        metavar=f"1..{MAX_FEATURES_PLOTTED}",
        help=f"features drawn (default {DEFAULT_FEATURES_PLOTTED})",
    )
    defaults = {
        ism: f"the {DEFAULT_FEATURES_DRAWN} with the largest |logfold| in a map (at most "
        f"{MAX_FEATURES_DRAWN} drawn); every feature in JSON",
        plot: "every feature, the --top largest |logfold| drawn",
    }
    for command, suffixes in ((ism, ".svg, .png or .json"), (plot, ".svg or .png")):
        command.add_argument("-o", "--output", type=Path, required=True, help=suffixes)
        command.add_argument(
            "--feature",
            "--features",
            dest="features",
            action="append",
            help=f"feature or group name, repeated (default: {defaults[command]})",
        )
        command.add_argument("--model", type=Path, help="model directory (default: the demo model)")
        command.add_argument("--fasta", type=Path, help="reference FASTA (default: the demo slice)")
    ism.set_defaults(run=lambda args: run_ism(args, settings_of(args)))
    plot.set_defaults(run=lambda args: run_plot(args, settings_of(args)))


def _suffix(path: Path, allowed: tuple[str, ...]) -> str:
    """The output's suffix (lower case, no dot); ``ValueError`` unless it is ``allowed``."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in allowed:
        raise ValueError(f"-o {path}: name the output ." + ", .".join(allowed))
    return suffix


def run_ism(args: argparse.Namespace, settings: Settings) -> int:
    # matplotlib (0.6 s to import) is loaded by the commands that draw only, not by every
    # logoscore command (a worker, a container's health probe)
    from service.plots.figures import ImageFormat
    from service.plots.heatmap import drawn_features, heatmap

    try:
        kind = _suffix(args.output, ("svg", "png", "json"))
        chrom, start, end = parse_region(args.region)
    except ValueError as error:
        return fail(str(error), EXIT_OPTIONS, "ism")
    engine = open_engine(settings)
    try:
        view = result_view(engine.model.manifest, args.features)
        region = mutagenesis_region(engine.reference, chrom, start, end)
    except (SelectionError, RegionError) as error:
        return fail(str(error), EXIT_OPTIONS, "ism")
    progress = Progress(sys.stderr) if sys.stderr.isatty() else None
    try:
        found = mutagenesis(engine, region, progress=progress.update if progress else None)
    except BaseException:
        if progress is not None:
            progress.stop()  # end the bar's line before the message
        raise
    if progress is not None:
        progress.finish(sum(len(site.scores) for site in found.sites))
    if kind == "json":
        response = ism_response(
            found, view, model_info(engine.model), reference_info(engine.reference)
        )
        content = (json.dumps(response.model_dump(mode="json")) + "\n").encode()
    else:
        drawn = drawn_features(found, view, bool(args.features))
        names = engine.model.manifest.feature_names
        footnote = Provenance.of(engine.model, engine.reference).footnote()
        content = heatmap(found, drawn, names, ImageFormat(kind), footnote)
    try:
        with output_bytes(args.output) as out:
            out.write(content)
    except OSError as error:
        return fail(str(error), EXIT_FAILED, "ism")
    scored = found.tally().counts[Status.SCORED]
    print(
        f"{region}: {scored} of {len(found.sites)} positions scored -> {args.output}",
        file=sys.stderr,
    )
    return 0


def run_plot(args: argparse.Namespace, settings: Settings) -> int:
    from service.plots.figures import ImageFormat  # matplotlib: see run_ism
    from service.plots.variant_plot import variant_plot

    try:
        image = ImageFormat(_suffix(args.output, ("svg", "png")))
    except ValueError as error:
        return fail(str(error), EXIT_OPTIONS, "plot")
    parsed = parse_variant_string(args.variant, 0)
    if len(parsed) != 1 or isinstance(parsed[0], InvalidInput):
        problem = parsed[0].message if isinstance(parsed[0], InvalidInput) else "several ALTs"
        return fail(f"{args.variant!r} is not one variant: {problem}", EXIT_OPTIONS, "plot")
    engine = open_engine(settings)
    try:
        view = result_view(engine.model.manifest, args.features)
    except SelectionError as error:
        return fail(str(error), EXIT_OPTIONS, "plot")
    (score,) = engine.score(parsed)
    if score.status is not Status.SCORED:
        return fail(
            f"{args.variant} was not scored ({score.status.value}): {score.message}",
            EXIT_FAILED,
            "plot",
        )
    try:
        with output_bytes(args.output) as out:
            footnote = Provenance.of(engine.model, engine.reference).footnote()
            out.write(variant_plot(score, view, image, args.top, footnote))
    except OSError as error:
        return fail(str(error), EXIT_FAILED, "plot")
    return 0
