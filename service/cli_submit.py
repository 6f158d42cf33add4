"""``logoscore submit IN.vcf.gz --server URL --wait -o OUT``: a batch job from a pipeline.

Uploads the VCF to ``POST /jobs`` (streamed, never read whole), then with ``--wait`` polls
``GET /jobs/{id}`` with backoff (1 s, growing to ``--poll-max``), downloads the result in the
format ``OUT``'s name gives (``.gz``: bgzipped by the server) under a temporary name and renames
it when complete. The API key comes from ``LOGOSCORE_API_KEY`` (never a command-line argument,
which other users of the machine can read). Exit status as ``logoscore score``: 0 done, 1 the
job or the connection failed (no output file), 2 bad options, 3 ``--strict`` and the job warned,
or fewer than ``--min-scored`` of its variants were scored (output kept).
"""

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from service.access import API_KEY_HEADER
from service.cli_score import (
    EXIT_FAILED,
    EXIT_OPTIONS,
    STDOUT,
    OptionError,
    fail,
    output_bytes,
    strict_exit,
)
from service.outputs.formats import FILE_SUFFIXES, FormatError, format_for_path

API_KEY_VARIABLE = "LOGOSCORE_API_KEY"
_UPLOAD_BLOCK = 1 << 20


class ServerError(RuntimeError):
    """The server answered with an error, or could not be reached."""


class JobClient:
    """The job routes of one server, with the caller's key."""

    def __init__(self, server: str, api_key: str | None, timeout: float) -> None:
        self.server = server.rstrip("/")
        self.headers = {API_KEY_HEADER: api_key} if api_key else {}
        self.timeout = timeout

    def _open(self, request: urllib.request.Request) -> Any:
        for name, value in self.headers.items():
            request.add_header(name, value)
        try:
            return urllib.request.urlopen(request, timeout=self.timeout)
        except urllib.error.HTTPError as error:
            raise ServerError(f"{self.server} answered {error.code}: {_detail(error)}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            reason = getattr(error, "reason", error)
            raise ServerError(
                f"cannot reach {self.server} ({reason}); check --server and that the API runs"
            ) from None

    def submit(self, vcf: Path, query: dict[str, str]) -> dict[str, Any]:
        boundary = uuid.uuid4().hex
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{_quoted(vcf.name)}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        tail = f"\r\n--{boundary}--\r\n".encode()

        def body() -> Iterator[bytes]:
            yield head
            with vcf.open("rb") as handle:
                while block := handle.read(_UPLOAD_BLOCK):
                    yield block
            yield tail

        request = urllib.request.Request(
            f"{self.server}/jobs?{urllib.parse.urlencode(query)}",
            data=body(),
            method="POST",
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Content-Length": str(len(head) + vcf.stat().st_size + len(tail)),
            },
        )
        with self._open(request) as response:
            status: dict[str, Any] = json.load(response)
        return status

    def status(self, job_id: str) -> dict[str, Any]:
        with self._open(urllib.request.Request(f"{self.server}/jobs/{job_id}")) as response:
            status: dict[str, Any] = json.load(response)
        return status

    def download(self, job_id: str, result_format: str, out: Path) -> None:
        query = urllib.parse.urlencode({"format": result_format})
        request = urllib.request.Request(f"{self.server}/jobs/{job_id}/result?{query}")
        with self._open(request) as response, output_bytes(out) as handle:
            while block := response.read(_UPLOAD_BLOCK):
                handle.write(block)


def _quoted(name: str) -> str:
    return name.replace("\\", "_").replace('"', "_").replace("\r", "_").replace("\n", "_")


def _detail(error: urllib.error.HTTPError) -> str:
    try:
        return str(json.loads(error.read()).get("detail"))
    except (ValueError, AttributeError):
        return error.reason or "no detail"


def result_format_of(out: Path, given: str | None) -> str:
    """The result format to ask for: ``--format``, else the output's name (``vcf.gz``, ...)."""
    if out == STDOUT:
        return given or "vcf"
    try:
        output_format, bgzipped = format_for_path(out)
    except FormatError as error:
        raise OptionError(str(error)) from error
    if given and given != output_format:
        raise OptionError(f"--format {given} but {out.name} names {output_format}")
    return f"{output_format}.gz" if bgzipped else output_format.value


def wait_for(client: JobClient, job_id: str, poll_max: float, quiet: bool) -> dict[str, Any]:
    """The job's status once it has finished or failed, polled with backoff."""
    delay = 1.0
    while True:
        status = client.status(job_id)
        if not quiet:
            print(
                f"\rjob {job_id}: {status['state']}, {status['variants_done']:,} of "
                f"{status['variants_total']:,} variants",
                end="",
                file=sys.stderr,
            )
        if status["state"] in ("finished", "failed"):
            if not quiet:
                print(file=sys.stderr)
            return status
        time.sleep(delay)
        delay = min(delay * 1.5, poll_max)


def run_submit(args: argparse.Namespace) -> int:
    if args.wait and args.output is None:
        return fail("--wait needs -o OUT (or -o - for stdout)", EXIT_OPTIONS, "submit")
    if not args.input.is_file():
        return fail(f"{args.input} is not a file: give the VCF or VCF.gz to score", 2, "submit")
    try:
        result_format = result_format_of(args.output, args.format) if args.wait else ""
    except OptionError as error:
        return fail(str(error), EXIT_OPTIONS, "submit")
    query = {"features": ",".join(args.features)} if args.features else {}
    if args.top_k:
        query["top_k"] = str(args.top_k)
    client = JobClient(args.server, os.environ.get(API_KEY_VARIABLE), args.timeout)
    try:
        status = client.submit(args.input, query)
        job_id = str(status["id"])
        print(f"job {job_id} submitted ({status['variants_total']:,} variants)", file=sys.stderr)
        if not args.wait:
            print(job_id)
            return 0
        status = wait_for(client, job_id, args.poll_max, args.quiet)
        if status["state"] == "failed":
            return fail(f"job {job_id} failed: {status['error']}", EXIT_FAILED, "submit")
        client.download(job_id, result_format, args.output)
    except ServerError as error:
        return fail(str(error), EXIT_FAILED, "submit")
    counts = ", ".join(f"{n} {state}" for state, n in status["summary"].items() if n)
    print(f"{status['variants_total']:,} variants -> {args.output}: {counts}", file=sys.stderr)
    warnings: list[str] = status["warnings"]
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return strict_exit(args, status["summary"], warnings, "submit")


def add_submit_command(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    submit = commands.add_parser(
        "submit",
        help="send a VCF to a logoscore server as a batch job (and wait for its result)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    submit.add_argument("input", type=Path, help="VCF or VCF.gz")
    submit.add_argument("--server", required=True, help="the API's base URL, e.g. http://host:8000")
    submit.add_argument("--wait", action="store_true", help="wait for the job and download it")
    submit.add_argument("-o", "--output", type=Path, help=f"with --wait: {FILE_SUFFIXES}; -")
    submit.add_argument("--format", choices=["vcf", "tsv", "ndjson"], help="with -o -")
    submit.add_argument("--features", action="extend", type=lambda t: t.split(","))
    submit.add_argument("--top-k", type=int)
    submit.add_argument("--strict", action="store_true", help="exit 3 when the job warned")
    submit.add_argument("--min-scored", type=float, metavar="SHARE")
    submit.add_argument("--poll-max", type=float, default=30.0, help="longest wait between polls")
    submit.add_argument("--timeout", type=float, default=60.0, help="seconds per HTTP request")
    submit.add_argument("-q", "--quiet", action="store_true", help="no progress line")
    submit.set_defaults(run=run_submit)
