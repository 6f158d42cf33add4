"""``logoscore score`` on a messy VCF built from real 1000 Genomes records: every input ALT in
every output, in order, with its status; the annotated VCF read back by Debian's bcftools."""

import gzip
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from service.scoring.model import OnnxModel
from service.settings import DEMO_FASTA, DEMO_MODEL_DIR, Provider
from tests.conftest import THOUSAND_GENOMES_VCF
from tests.core.test_vcf import truncated_gzip_vcf
from tests.golden import same_text
from training.data.sources import BCFTOOLS_PACKAGES, unpack_tool

LOGOSCORE = [sys.executable, "-c", "from service.cli import main; main()"]
REAL_RECORDS = 40
DEMO_SEQUENCE = "".join(DEMO_FASTA.read_text().splitlines()[1:])
LONG_REF = DEMO_SEQUENCE[1_290_000:1_290_120]
NEAR_START = DEMO_SEQUENCE[299]  # chr20:300, too near the start of the sequence for a window

# (ID, CHROM, POS, REF, ALT) -> expected status per ALT
EDGE_CASES = [
    ("multi", "20", "1292033", "C", "T,G,<DEL>", ["scored", "scored", "unsupported_allele"]),
    ("left", "chr20", "1282160", "TT", "T", ["scored"]),
    ("mismatch", "20", "1292033", "G", "A", ["ref_mismatch"]),
    ("contig", "21", "100000", "A", "G", ["unknown_contig"]),
    ("bad_pos", "20", "12x", "C", "T", ["invalid"]),
    ("long", "20", "1290001", LONG_REF, LONG_REF[0], ["too_long"]),
    ("star", "20", "1292040", "C", "*", ["unsupported_allele"]),
    ("edge", "20", "300", NEAR_START, "G" if NEAR_START != "G" else "A", ["out_of_bounds"]),
]


def _real_lines() -> tuple[list[str], list[str]]:
    """The 1000 Genomes slice's header, and its records that have every sample column (92 of
    its 300 are sites-only lines under a header with samples, which bcftools refuses even in
    the input)."""
    lines = gzip.decompress(THOUSAND_GENOMES_VCF.read_bytes()).decode().splitlines()
    header = [line for line in lines if line.startswith("#")]
    width = len(header[-1].split("\t"))
    records = [line for line in lines[len(header) :] if len(line.split("\t")) == width]
    return header, records


@pytest.fixture(scope="module")
def messy_vcf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    header, records = _real_lines()
    samples = len(header[-1].split("\t")) - 9
    genotypes = "\t".join(["0|1"] * samples)
    edge = [
        f"{chrom}\t{pos}\t{name}\t{ref}\t{alt}\t.\tPASS\tDP=3\tGT\t{genotypes}"
        for name, chrom, pos, ref, alt, _ in EDGE_CASES
    ]
    path = tmp_path_factory.mktemp("in") / "messy.vcf"
    path.write_text("\n".join([*header, *records[:REAL_RECORDS], *edge]) + "\n")
    return path


def _expected_statuses() -> list[str]:
    real = []
    for line in _real_lines()[1][:REAL_RECORDS]:
        pos = int(line.split("\t")[1])
        real.append("scored" if 500 <= pos <= 5_999_400 else "out_of_bounds")
    return real + [status for *_, statuses in EDGE_CASES for status in statuses]


def _score(messy_vcf: Path, out: Path, *options: str) -> subprocess.CompletedProcess[str]:
    command = [*LOGOSCORE, "score", str(messy_vcf), "-o", str(out), *options]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def _bcftools(*arguments: str) -> subprocess.CompletedProcess[str]:
    tool = unpack_tool("bcftools", BCFTOOLS_PACKAGES)
    return subprocess.run(
        [str(tool.path), *arguments], env=tool.environment(), capture_output=True, text=True
    )


def _warnings_of(stderr: str) -> list[str]:
    return [line[len("warning: ") :] for line in stderr.splitlines() if line.startswith("warning:")]


def test_tsv_has_every_alt_in_order_with_a_status_and_a_message(
    messy_vcf: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.tsv"
    result = _score(messy_vcf, out)
    assert result.returncode == 0, result.stderr
    lines = out.read_text().splitlines()
    assert lines[0].startswith("# model: ") and "sha256=" in lines[0]
    header = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    assert lines[header - 1].startswith("# priority: prioritisation score in (0, 1)")
    columns = lines[header].split("\t")
    body = [line for line in lines[header + 1 :] if not line.startswith("# ")]
    rows = [dict(zip(columns, line.split("\t"), strict=True)) for line in body]
    footer = lines[header + 1 + len(body) :]
    assert footer[0].startswith("# summary: scored ")
    assert footer[1:] == [f"# warning: {w}" for w in _warnings_of(result.stderr)]
    assert [row["status"] for row in rows] == _expected_statuses()
    assert all(row["message"] for row in rows if row["status"] != "scored")
    left = next(row for row in rows if row["id"] == "left")
    assert (left["norm_pos"], left["norm_ref"], left["norm_alt"]) == ("1282149", "CT", "C")
    assert "annotation.max_abs_diff" in columns and "CpG_island.logfold" in columns
    expected_total = len(_expected_statuses())
    assert f"{expected_total} variants -> " in result.stderr
    assert "\r" not in result.stderr  # no progress bar in a pipe


@pytest.mark.slow
def test_the_annotated_vcf_keeps_every_column_and_bcftools_reads_it(
    messy_vcf: Path, tmp_path: Path
) -> None:
    for name in ("out.vcf", "out.vcf.gz"):
        out = tmp_path / name
        result = _score(messy_vcf, out)
        assert result.returncode == 0, result.stderr
        assert "1 malformed line(s)" in result.stderr
        view = _bcftools("view", str(out))
        assert view.returncode == 0, view.stderr
        query = _bcftools(
            "query", "-f", "%ID\t%ALT\t%INFO/LOGO_PRIORITY\t%INFO/LOGO_STATUS\n", str(out)
        )
        assert query.returncode == 0, query.stderr
        rows = [line.split("\t") for line in query.stdout.splitlines()]
        statuses = [s for row in rows for s in row[3].split(",")]
        expected = _expected_statuses()
        invalid_index = expected.index("invalid")
        assert statuses == expected[:invalid_index] + expected[invalid_index + 1 :]
        multi = next(row for row in rows if row[0] == "multi")
        priorities = multi[2].split(",")
        assert len(priorities) == 3 and priorities[2] == "."
        assert all(0 < float(p) < 1 for p in priorities[:2])
        messages = _bcftools("query", "-f", "%ID\t%INFO/LOGO_MESSAGE\n", str(out)).stdout
        symbolic = next(line for line in messages.splitlines() if line.startswith("multi"))
        assert symbolic.split("\t")[1].split(",")[2].startswith("ALT '<DEL>' is ")  # a sentence
    with gzip.open(tmp_path / "out.vcf.gz", "rt") as handle:
        written = handle.read().splitlines()
    original = messy_vcf.read_text().splitlines()
    assert [line for line in original if line.startswith("##")] == [
        line
        for line in written
        if line.startswith("##") and "LOGO_" not in line and not line.startswith("##logoscore_")
    ]
    kept = [line.split("\t") for line in original if not line.startswith("#")]
    kept = [fields for fields in kept if fields[2] != "bad_pos"]  # not a VCF record: left out
    out_records = [line.split("\t") for line in written if not line.startswith("#")]
    assert len(out_records) == len(kept)
    for fields, annotated in zip(kept, out_records, strict=True):
        assert annotated[:7] == fields[:7] and annotated[8:] == fields[8:]
        assert annotated[7].startswith(fields[7] + ";LOGO_STATUS=")


@pytest.mark.slow
def test_ndjson_has_a_header_every_alt_and_a_summary(messy_vcf: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = _score(messy_vcf, out, "--features", "annotation", "--top-k", "2")
    assert result.returncode == 0, result.stderr
    first, *rows, last = [json.loads(line) for line in out.read_text().splitlines()]
    assert first["model"]["sha256"] and first["reference"]["file"] == DEMO_FASTA.name
    assert [row["status"] for row in rows] == _expected_statuses()
    scored = [row for row in rows if row["status"] == "scored"]
    assert all(len(row["features"]) == 2 for row in scored)
    assert all([g["group"] for g in row["groups"]] == ["annotation"] for row in scored)
    assert last["summary"]["scored"] == len(scored) and last["summary"]["invalid"] == 1


@pytest.mark.slow
def test_a_vcf_on_another_assembly_gets_a_warning_naming_it(tmp_path: Path) -> None:
    header, records = _real_lines()
    shifted = []
    for line in records[:60]:
        fields = line.split("\t")
        fields[1] = str(int(fields[1]) + 7)  # REF no longer matches at most positions
        shifted.append("\t".join(fields))
    vcf = tmp_path / "other.vcf"
    vcf.write_text("\n".join([*header, *shifted]) + "\n")
    result = _score(vcf, tmp_path / "out.tsv")
    assert result.returncode == 0
    assert "probably not on GRCh37" in result.stderr
    assert "# warning: REF matches the reference for only" in (tmp_path / "out.tsv").read_text()


@pytest.mark.slow
def test_only_a_failure_of_the_run_itself_exits_non_zero(messy_vcf: Path, tmp_path: Path) -> None:
    unknown = _score(messy_vcf, tmp_path / "out.bed")
    assert unknown.returncode == 2 and "name it with one of .vcf[.gz]" in unknown.stderr
    missing = subprocess.run(
        [*LOGOSCORE, "score", str(tmp_path / "absent.vcf"), "-o", str(tmp_path / "o.tsv")],
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 1 and "absent.vcf" in missing.stderr
    feature = _score(messy_vcf, tmp_path / "o.tsv", "--features", "nonsense")
    assert feature.returncode == 2 and "no feature or group 'nonsense'" in feature.stderr


@pytest.mark.slow
def test_a_full_disk_while_writing_is_exit_1_saying_so(messy_vcf: Path, tmp_path: Path) -> None:
    full = tmp_path / "out.tsv"
    full.symlink_to("/dev/full")  # every write fails with ENOSPC, as on a full disk
    done = _score(messy_vcf, full)
    assert done.returncode == 1
    assert "No space left on device" in done.stderr and "no complete output" in done.stderr


def test_a_gzip_cut_off_among_its_records_is_exit_1_and_leaves_no_output(
    tmp_path: Path,
) -> None:
    done = _score(truncated_gzip_vcf(tmp_path / "cut.vcf.gz"), tmp_path / "out.tsv")
    assert done.returncode == 1
    assert "cut.vcf.gz is cut off or damaged after line" in done.stderr
    assert "no complete output was written to" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cut.vcf.gz"]


@pytest.mark.slow
def test_a_progress_bar_on_a_terminal(messy_vcf: Path, tmp_path: Path) -> None:
    leader, follower = pty.openpty()
    command = [*LOGOSCORE, "score", str(messy_vcf), "-o", str(tmp_path / "out.tsv")]
    with os.fdopen(leader, "rb", buffering=0) as terminal:
        process = subprocess.Popen(command, stderr=follower, stdout=subprocess.DEVNULL)
        os.close(follower)
        seen = b""
        while True:
            try:
                chunk = terminal.read(4096)
            except OSError:  # the terminal closes when the process exits
                break
            if not chunk:
                break
            seen += chunk
        assert process.wait() == 0
    text = seen.decode()
    total = len(_expected_statuses())
    assert f"\r[########################] 100% {total} variants in 00:" in text  # the last line
    assert f"{total} variants -> " in text


@pytest.mark.slow
def test_a_killed_run_leaves_no_output_and_a_finished_one_appears_whole(
    messy_vcf: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.vcf"
    command = [*LOGOSCORE, "score", str(messy_vcf), "-o", str(out), "-q"]
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    partial = []
    while not partial and process.poll() is None:  # the partial file appears once it writes
        partial = list(tmp_path.glob(".out.vcf.partial-*"))
    process.kill()
    process.wait()
    assert partial and not out.exists()  # make and Snakemake see no output to trust
    assert _score(messy_vcf, out).returncode == 0 and out.read_text().startswith("##fileformat")


def test_the_input_is_never_the_output(messy_vcf: Path) -> None:
    before = messy_vcf.read_bytes()
    refused = _score(messy_vcf, messy_vcf)
    assert refused.returncode == 2 and "is the input itself" in refused.stderr
    assert messy_vcf.read_bytes() == before


@pytest.mark.slow
def test_stdout_features_top_k_and_strict_mode(messy_vcf: Path, tmp_path: Path) -> None:
    piped = _score(messy_vcf, Path("-"), "--features", "motif_CTCF,annotation", "--top-k", "1")
    assert piped.returncode == 0
    records = [line for line in piped.stdout.splitlines() if not line.startswith("#")]
    assert len(records) == REAL_RECORDS + len(EDGE_CASES) - 1  # bad_pos is not a VCF record
    assert "LOGO_MAXDIFF_annotation" in piped.stdout and "LOGO_MAXDIFF_chip_seq" not in piped.stdout
    swallowed = _score(messy_vcf, tmp_path / "o.tsv", "--features", "CTCF")
    assert swallowed.returncode == 2 and "did you mean 'motif_CTCF'?" in swallowed.stderr
    assert _score(messy_vcf, tmp_path / "o.tsv", "--top-k", "0").returncode == 2
    strict = _score(messy_vcf, tmp_path / "s.tsv", "--min-scored", "0.99")
    assert strict.returncode == 3 and "fewer than --min-scored 0.99" in strict.stderr
    assert (tmp_path / "s.tsv").exists()  # complete, and kept: its statuses say why


def test_version_and_the_feature_list() -> None:
    version = subprocess.run([*LOGOSCORE, "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("logoscore ")
    listed = subprocess.run([*LOGOSCORE, "features"], capture_output=True, text=True)
    rows = [line.split("\t") for line in listed.stdout.splitlines()]
    assert rows[0] == ["name", "group", "description"]
    assert rows[[r[0] for r in rows].index("motif_CTCF")][:2] == ["motif_CTCF", "tf_motif"]


@pytest.mark.slow
def test_threads_sets_the_model_calls_threads_and_changes_no_score(
    messy_vcf: Path, tmp_path: Path
) -> None:
    model = OnnxModel(DEMO_MODEL_DIR, Provider.CPU, None, threads=1)
    assert model.session.get_session_options().intra_op_num_threads == 1
    one, every = tmp_path / "one.tsv", tmp_path / "every.tsv"
    assert _score(messy_vcf, one, "--threads", "1").returncode == 0
    assert _score(messy_vcf, every).returncode == 0
    assert same_text(one.read_text(), every.read_text()) is None
    refused = _score(messy_vcf, one, "--threads", "0")
    assert refused.returncode == 2 and "0 is not a positive whole number" in refused.stderr


@pytest.mark.slow
def test_processes_score_the_same_output(messy_vcf: Path, tmp_path: Path) -> None:
    one, two = tmp_path / "one.tsv", tmp_path / "two.tsv"
    assert _score(messy_vcf, one).returncode == 0
    done = _score(messy_vcf, two, "--processes", "2")
    assert done.returncode == 0
    assert two.read_text() == one.read_text()
    assert "\nmodel sessions (1): " in done.stderr  # how busy the workers kept the session


def test_processes_past_the_free_shared_memory_are_refused_saying_how_to_fix_it(
    messy_vcf: Path, tmp_path: Path
) -> None:
    out = tmp_path / "scores.tsv"
    command = [*LOGOSCORE, "score", str(messy_vcf), "-o", str(out), "--processes", "2"]
    rows = {**os.environ, "LOGOSCORE_BATCH_ROWS": str(10**8)}  # 179 GB a slot
    done = subprocess.run(command, capture_output=True, text=True, env=rows, check=False)
    assert done.returncode == 1
    assert "2 worker processes need 341,034 MiB of shared memory and /dev/shm has" in done.stderr
    assert "give fewer processes, fewer rows a call (LOGOSCORE_BATCH_ROWS)" in done.stderr
    assert not out.exists()
