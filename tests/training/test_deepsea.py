"""The DeepSEA bundle's layout, written by the test with its real key names and axis orders."""

from pathlib import Path

import h5py
import numpy as np
import pytest
from scipy.io import savemat

from core.kmers import base_codes
from core.windows import WindowSpec
from training.cli import main as train_main
from training.data.deepsea import BundleError, import_bundle
from training.data.samples import Samples
from training.data.shards import PreparedDataset

ORDER = "AGCT"  # DeepSEA's one-hot rows


def _one_hot(sequences: list[str]) -> np.ndarray:
    """``(n, 4, 1000)``: the bundle's windows x bases x positions (N: all zeros)."""
    array = np.zeros((len(sequences), 4, 1000), dtype=np.uint8)
    for i, sequence in enumerate(sequences):
        for j, base in enumerate(sequence):
            if base in ORDER:
                array[i, ORDER.index(base), j] = 1
    return array


def _sequences(rng: np.random.Generator, n: int) -> list[str]:
    sequences = ["".join(rng.choice(list("ACGT"), 1000)) for _ in range(n)]
    sequences[0] = "ACGTN" * 200  # every base, and an N, at known places
    return sequences


def _write_bundle(
    directory: Path, rng: np.random.Generator
) -> dict[str, tuple[list[str], np.ndarray]]:
    directory.mkdir()
    splits = {}
    for split, n in (("train", 10), ("validation", 4), ("test", 5)):
        sequences = _sequences(rng, n)
        labels = (rng.random((n, 3)) < 0.3).astype(np.uint8)
        splits[split] = (sequences, labels)
    train_x, train_y = _one_hot(splits["train"][0]), splits["train"][1]
    with h5py.File(directory / "train.mat", "w") as handle:  # v7.3 = HDF5, axes reversed
        handle["trainxdata"] = np.transpose(train_x, (2, 1, 0))  # (1000, 4, n)
        handle["traindata"] = train_y.T  # (919, n) in the real file
    savemat(
        directory / "valid.mat",
        {"validxdata": _one_hot(splits["validation"][0]), "validdata": splits["validation"][1]},
    )
    savemat(
        directory / "test.mat",
        {"testxdata": _one_hot(splits["test"][0]), "testdata": splits["test"][1]},
    )
    return splits


def test_the_imported_windows_and_labels_are_the_ones_written(tmp_path: Path) -> None:
    written = _write_bundle(tmp_path / "bundle", np.random.default_rng(0))
    names = tmp_path / "names.txt"
    names.write_text("8988T|DNase|None\tdnase\nGM12878|CTCF|None\ttf\nK562|H3K4me3|None\n")
    train_main(
        [
            "prepare",
            "--deepsea-bundle",
            str(tmp_path / "bundle"),
            "--feature-names",
            str(names),
            "--out",
            str(tmp_path / "data"),
        ]
    )
    data = PreparedDataset.open(tmp_path / "data")
    assert data.spec == WindowSpec(1000, 5, "n-padded")
    assert [(f.name, f.group) for f in data.features] == [
        ("8988T|DNase|None", "dnase"),
        ("GM12878|CTCF|None", "tf"),
        ("K562|H3K4me3|None", "chromatin"),
    ]
    for split, (sequences, labels) in written.items():
        samples = Samples.of(data, split)
        indices = np.arange(len(sequences))
        codes = samples.windows.codes(indices)
        assert np.array_equal(codes, np.stack([base_codes(s) for s in sequences]))
        assert np.array_equal(samples.labels, labels)
        # tokenised as LOGO reads a 1000 bp window: 1000 bases, then k - 1 = 4 N
        assert samples.codes(indices).shape == (len(sequences), 1004)
        assert (samples.codes(indices)[:, 1000:] == 4).all()
    assert data.manifest["splits"]["train"]["windows"] == 10


def test_a_bundle_laid_out_otherwise_is_refused(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    _write_bundle(bundle, np.random.default_rng(1))
    with h5py.File(bundle / "train.mat", "w") as handle:  # windows first: not DeepSEA's order
        handle["trainxdata"] = np.zeros((10, 4, 1000), dtype=np.uint8)
        handle["traindata"] = np.zeros((3, 10), dtype=np.uint8)
    with pytest.raises(BundleError, match=r"trainxdata has shape \(10, 4, 1000\).*\(1000, 4, n\)"):
        import_bundle(bundle, tmp_path / "data", 5, None)
    (bundle / "test.mat").unlink()
    with pytest.raises(BundleError, match=r"lacks test\.mat"):
        import_bundle(bundle, tmp_path / "data", 5, None)
