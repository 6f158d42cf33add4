"""Real data sources, fetched from Debian's registry by package name and checked by sha256.

Each source is one file inside one pinned Debian package. ``fetch`` runs ``apt-get download``
(no install, no root needed beyond apt's own cache) and ``dpkg-deb -x``, checks the package's and
the file's sha256, and keeps the file under the cache directory (``LOGOSCORE_DATA_DIR``, default
``~/.cache/logoscore/sources``). The raw packages are never committed.
"""

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from core.manifest import file_sha256

_CHROMHMM_HG19 = "usr/share/doc/chromhmm/examples/COORDS/hg19"


@dataclass(frozen=True)
class DebianFile:
    """One file inside one pinned Debian package."""

    package: str
    version: str
    package_sha256: str
    member: str
    sha256: str

    @property
    def file_name(self) -> str:
        return Path(self.member).name


_VT_EXAMPLES = (
    "vt-examples",
    "0.57721+ds-3",
    "277c0ef50f4cda40f2dd837f90b6d837155ecd5b8889797683fe63375b017b56",
)
_CHROMHMM = (
    "chromhmm-example",
    "1.24+dfsg-1",
    "dbae0d605001ba3e4a5a55c2159444ad8ee83001dddb77fab4d14185b9bf2825",
)

SOURCES: dict[str, DebianFile] = {
    "grch37_chr20": DebianFile(
        *_VT_EXAMPLES,
        member="usr/share/doc/vt/examples/ref/20.fa.gz",
        sha256="83c80b3fb23822ff0a66f26306e46f5db3c83d48fcff68bcddc353a3d8ef581b",
    ),
    "cpg_islands": DebianFile(
        *_CHROMHMM,
        member=f"{_CHROMHMM_HG19}/CpGIsland.hg19.bed.gz",
        sha256="f72ce39fbc1f1ff582be55e520c4347143b061d4f69d43d40c5a08743e956c23",
    ),
    "refseq_tss": DebianFile(
        *_CHROMHMM,
        member=f"{_CHROMHMM_HG19}/RefSeqTSS.hg19.bed.gz",
        sha256="6abd27052bfda915f503e2fa87ed4076d71344f606dc2945babce5f17f1e618d",
    ),
    "refseq_tss_2kb": DebianFile(
        *_CHROMHMM,
        member=f"{_CHROMHMM_HG19}/RefSeqTSS2kb.hg19.bed.gz",
        sha256="691ea48a929735d514ea6c4e593514285aeb799347d7829eb1c250a73ed3b26c",
    ),
    "refseq_exons": DebianFile(
        *_CHROMHMM,
        member=f"{_CHROMHMM_HG19}/RefSeqExon.hg19.bed.gz",
        sha256="b20ff9de23005d514e6b2bb57051cbd62dfe9b8f37b7f48affd05e6bb6e9ab9b",
    ),
}


class SourceError(RuntimeError):
    """A source that could not be fetched, or whose checksum is not the pinned one."""


def cache_dir() -> Path:
    default = Path.home() / ".cache" / "logoscore" / "sources"
    return Path(os.environ.get("LOGOSCORE_DATA_DIR", default))


def fetch(source: DebianFile, cache: Path | None = None) -> Path:
    """The verified file of ``source``, downloading its package if it is not cached yet."""
    target = (cache or cache_dir()) / source.package / source.version / source.file_name
    if target.is_file() and file_sha256(target) == source.sha256:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work_dir:
        work = Path(work_dir)
        package = _download(source, work)
        subprocess.run(["dpkg-deb", "-x", str(package), str(work / "root")], check=True)
        extracted = work / "root" / source.member
        _verify(extracted, source.sha256, source.member)
        shutil.copyfile(extracted, target)
    return target


def _download(source: DebianFile, work: Path) -> Path:
    spec = f"{source.package}={source.version}"
    result = subprocess.run(
        ["apt-get", "download", spec], cwd=work, capture_output=True, text=True, check=False
    )
    packages = list(work.glob(f"{source.package}_*.deb"))
    if result.returncode != 0 or not packages:
        raise SourceError(
            f"apt-get download {spec} failed ({result.stderr.strip()}); run 'apt-get update' "
            "or check that Debian's bookworm archive is reachable"
        )
    _verify(packages[0], source.package_sha256, spec)
    return packages[0]


def _verify(path: Path, expected: str, what: str) -> None:
    actual = file_sha256(path)
    if actual != expected:
        raise SourceError(f"{what}: sha256 {actual}, expected {expected}; refusing to use it")
