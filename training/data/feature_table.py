"""The features a lab trains on: ``FEATURES.tsv``, one row per feature.

Tab-separated columns ``name``, ``group``, ``path`` and, optionally, ``description``; a first
row naming those columns is a header and skipped, as are empty lines and lines starting with
``#``. ``path`` is a BED or narrowPeak file, plain or gzipped (``training.data.intervals``),
absolute or relative to the table's own directory. Names must be unique; the rows' order is the
model's output order.
"""

from dataclasses import dataclass
from pathlib import Path

from core.manifest import Feature

COLUMNS = ("name", "group", "path", "description")


class FeatureTableError(ValueError):
    """A features table that cannot be used, with the row and the fix."""


@dataclass(frozen=True)
class FeatureSource:
    name: str
    group: str
    path: Path
    description: str

    @property
    def feature(self) -> Feature:
        return Feature(self.name, self.group, self.description)


def read_feature_table(path: Path) -> list[FeatureSource]:
    if not path.is_file():
        raise FeatureTableError(f"features table {path} does not exist")
    sources: list[FeatureSource] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = [field.strip() for field in line.split("\t")]
        if number == 1 and fields[:3] == list(COLUMNS[:3]):
            continue
        if len(fields) < 3 or not all(fields[:3]):
            raise FeatureTableError(
                f"{path} line {number}: expected tab-separated name, group, path and an optional "
                f"description, got {line[:80]!r}"
            )
        name, group, file_name = fields[:3]
        if name in seen:
            raise FeatureTableError(f"{path} line {number}: feature {name!r} is named twice")
        seen.add(name)
        file_path = Path(file_name) if Path(file_name).is_absolute() else path.parent / file_name
        if not file_path.is_file():
            raise FeatureTableError(
                f"{path} line {number}: the peaks of {name!r}, {file_path}, do not exist "
                "(a relative path is read from the table's directory)"
            )
        description = fields[3] if len(fields) > 3 and fields[3] else f"{name} ({file_path.name})"
        sources.append(FeatureSource(name, group, file_path, description))
    if not sources:
        raise FeatureTableError(f"{path} names no feature")
    return sources


def write_feature_table(path: Path, sources: list[FeatureSource]) -> Path:
    """Write ``sources`` as a features table (paths as given)."""
    lines = ["\t".join(COLUMNS)]
    lines += [f"{s.name}\t{s.group}\t{s.path}\t{s.description}" for s in sources]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


def read_feature_names(path: Path | None, count: int, source: str) -> list[Feature]:
    """The ``count`` outputs of a model or label columns of a bundle from ``source``, named by
    ``path`` (one per line, optionally ``NAME<TAB>GROUP``; group ``chromatin`` otherwise), else
    ``feature_001`` ... in column order."""
    if path is None:
        return [
            Feature(f"feature_{i + 1:03d}", "chromatin", f"{source} column {i + 1}")
            for i in range(count)
        ]
    rows = [line.split("\t") for line in path.read_text().splitlines() if line.strip()]
    if len(rows) != count:
        raise FeatureTableError(
            f"{path} names {len(rows)} features, {source} has {count} columns: give one name "
            "per line, in column order"
        )
    return [
        Feature(
            row[0].strip(),
            row[1].strip() if len(row) > 1 else "chromatin",
            f"{source} column {i + 1}: {row[0].strip()}",
        )
        for i, row in enumerate(rows)
    ]
