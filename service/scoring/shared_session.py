"""One model session for several worker processes (``logoscore score --processes N``).

Each worker does the host side of its chunks (windows, tokens, score math, output text) and
sends its token rows to the calling process, where a thread runs them through the session and
sends the probabilities back. The GPU thus serves one process's sessions, their calls back to
back, instead of N processes' sessions taking turns in time slices, each with its own memory
(measured with N: bench/RESULTS.md, 2026-12-04). With two sessions (two threads; the default on
a GPU, ``Settings.model_sessions``) one call's copies and overhead overlap the other's kernels.

Each worker owns a slot: two shared-memory buffers of ``batch_rows`` rows (tokens in,
probabilities out) and a reply queue. It fills its token buffer, puts ``(slot, rows)`` on the
request queue and waits for the reply (``None``, or the error of the call); the tokens and the
probabilities never pass through a pipe.
"""

import logging
import multiprocessing
import os
import shutil
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.context import SpawnContext
from multiprocessing.queues import Queue, SimpleQueue
from multiprocessing.shared_memory import SharedMemory
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from service.scoring.call_load import CallLoad
from service.scoring.engine import ScoringEngine, open_engine
from service.scoring.model import OnnxModel
from service.settings import Settings

logger = logging.getLogger(__name__)

ModelOpener = Callable[[], OnnxModel]
"""Opens one session of the served model's file (``SessionServer.open_sessions``)."""

Request = tuple[int, int] | None
"""A slot's number and its rows, or ``None``: the server stops."""

TOKENS, PROBABILITIES = np.int64, np.float32
"""What a slot holds: the model's token rows in, its probabilities out."""


def slot_bytes(rows: int, tokens_per_row: int, features: int) -> tuple[int, int]:
    """The sizes of a slot's two buffers: ``rows`` token rows, their probabilities."""
    return (
        rows * tokens_per_row * np.dtype(TOKENS).itemsize,
        rows * features * np.dtype(PROBABILITIES).itemsize,
    )


SWITCH_INTERVAL_SECONDS = 0.0005
"""How long a thread of the serving process may hold the GIL while another waits for it, while
the slots are served (Python's default: 5 ms). A serving thread needs the GIL between two calls
(the next request, the reply), while the calling process's main thread reads and writes; with
the default it can wait up to 5 ms, a third of a 4096-row call on an H200, with the model idle.
With a model that sleeps as a GPU call does (2 worker processes on 2 cores, 2,000 variants/s,
4096-row calls, 3 alternating pairs) the session had a call running 91-93% of the time after
its first instead of 88-91%; with 400-row calls the pairs differed by less than their noise.
Whether it matters on a GPU is for ``bench/gpu.sh`` to show (bench/RESULTS.md)."""

SHARED_MEMORY = Path("/dev/shm")
"""Where Linux keeps shared memory: a tmpfs, 64 MB in a Docker container unless raised."""


class SharedMemoryError(RuntimeError):
    """The slots need more shared memory than is free."""


def check_shared_memory(needed: int, slots: int, folder: Path = SHARED_MEMORY) -> None:
    """Raise ``SharedMemoryError`` when ``folder`` (where it exists) has less than ``needed``
    bytes free: writing past a full tmpfs kills the process (SIGBUS) instead of failing."""
    if not folder.is_dir():
        return
    free = shutil.disk_usage(folder).free
    if needed > free:
        raise SharedMemoryError(
            f"{slots} worker processes need {needed / 2**20:,.0f} MiB of shared memory and "
            f"{folder} has {free / 2**20:,.0f} MiB free: give fewer processes, fewer rows a call "
            "(LOGOSCORE_BATCH_ROWS), or more shared memory (Docker: --shm-size, compose: "
            "shm_size)"
        )


@dataclass(frozen=True)
class Slot:
    """What a worker needs to reach its slot (picklable: handed to it when it starts)."""

    number: int
    tokens: str
    probabilities: str
    rows: int
    tokens_per_row: int
    features: int
    replies: "SimpleQueue[str | None]"


def _view(memory: SharedMemory, rows: int, width: int, dtype: type) -> NDArray[Any]:
    return np.ndarray((rows, width), dtype=dtype, buffer=memory.buf)


class SlotRunner:
    """A worker's model calls (``OnnxModel``'s ``runner``): through its slot to the session."""

    def __init__(self, slot: Slot, requests: "Queue[Request]") -> None:
        self.slot, self.requests = slot, requests
        self._memory = [SharedMemory(slot.tokens), SharedMemory(slot.probabilities)]
        self._tokens = _view(self._memory[0], slot.rows, slot.tokens_per_row, TOKENS)
        self._probabilities = _view(self._memory[1], slot.rows, slot.features, PROBABILITIES)

    def __call__(self, rows: NDArray[np.int64]) -> NDArray[np.float32]:
        if len(rows) > self.slot.rows:
            raise ValueError(f"{len(rows)} rows in one call; a slot holds {self.slot.rows}")
        self._tokens[: len(rows)] = rows
        self.requests.put((self.slot.number, len(rows)))
        error = self.slot.replies.get()
        if error is not None:
            raise RuntimeError(f"the model session of the calling process failed: {error}")
        return self._probabilities[: len(rows)].copy()


def _exit_with_parent() -> None:
    """End this process when the one that started it ends (its sessions gone, no model call
    could finish): a thread waits for the parent."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def wait() -> None:
        parent.join()
        os._exit(1)

    threading.Thread(target=wait, name="parent-watch", daemon=True).start()


@dataclass(frozen=True)
class SessionAccess:
    """What a worker process needs to reach the server (picklable: handed to it at start)."""

    slots: list[Slot]
    free: "Queue[int]"
    requests: "Queue[Request]"

    def open_engine(self, settings: Settings) -> ScoringEngine:
        """The engine that ``settings`` describe, its model calls through a free slot (each
        worker takes one, once; it ends with the process that serves the slots)."""
        slot = self.slots[self.free.get()]
        _exit_with_parent()
        runner = SlotRunner(slot, self.requests)
        return open_engine(settings.model_copy(update={"batch_rows": slot.rows}), runner)


def not_scored_here(rows: NDArray[np.int64]) -> NDArray[np.float32]:
    """The model calls of a process whose worker processes score (``OnnxModel``'s ``runner``:
    its model gives the manifest, the file the sessions run and the slots' sizes; its sessions
    are the server's)."""
    raise RuntimeError("this process serves its worker processes' model calls; it scores none")


class SessionServer:
    """``slots`` slots, sized for ``model``'s calls, for as many workers, served by a thread
    for each session that ``open_sessions`` opens (a context manager: the threads run inside
    it, the shared memory is freed on leaving)."""

    def __init__(self, model: OnnxModel, slots: int, context: SpawnContext) -> None:
        rows, width = model.batch_rows, model.tokens_per_frame
        features = len(model.manifest.features)
        sizes = slot_bytes(rows, width, features)
        check_shared_memory(slots * sum(sizes), slots)
        self.requests: Queue[Request] = context.Queue()
        self.free: Queue[int] = context.Queue()  # each worker takes one slot number at start
        self.slots: list[Slot] = []
        self._memory: list[tuple[SharedMemory, SharedMemory]] = []
        for number in range(slots):
            tokens = SharedMemory(create=True, size=sizes[0])
            probabilities = SharedMemory(create=True, size=sizes[1])
            self._memory.append((tokens, probabilities))
            # written at once by the serving thread (a Queue's feeder thread would wait for
            # this process's GIL before the worker learns its call is done)
            replies: SimpleQueue[str | None] = context.SimpleQueue()
            self.slots.append(
                Slot(number, tokens.name, probabilities.name, rows, width, features, replies)
            )
            self.free.put(number)
        self._views = [
            (_view(tokens, rows, width, TOKENS), _view(out, rows, features, PROBABILITIES))
            for tokens, out in self._memory
        ]
        self.load = CallLoad()  # from the first call to the last (bench/RESULTS.md)
        self.sessions = 0
        """How many sessions serve (those ``open_sessions`` could open)."""
        self._opening = 0
        self._threads: list[threading.Thread] = []
        self._sessions_lock = threading.Lock()

    @property
    def access(self) -> SessionAccess:
        return SessionAccess(self.slots, self.free, self.requests)

    def __enter__(self) -> "SessionServer":
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
        return self

    def open_sessions(self, openers: list[ModelOpener]) -> None:
        """Sessions of the model's file, each opened by a thread that then serves it (called
        once the workers are starting: their start-up and the sessions' loading overlap; calls
        wait in the queue meanwhile). One that cannot be opened (GPU memory) is logged and the
        others serve; where none can, every call is answered with the error."""
        with self._sessions_lock:
            self._opening += len(openers)
        for opener in openers:
            self._start(self._open_and_serve, opener)

    def __exit__(self, *_: object) -> None:
        for _thread in self._threads:
            self.requests.put(None)
        for thread in self._threads:
            thread.join()
        sys.setswitchinterval(self._switch_interval)
        self._views.clear()  # no view may outlive the memory it reads
        for pair in self._memory:
            for memory in pair:
                memory.close()
                memory.unlink()

    def _start(self, target: Callable[[Any], None], argument: object) -> None:
        thread = threading.Thread(target=target, args=(argument,), name="model-session")
        thread.daemon = True
        thread.start()
        self._threads.append(thread)

    def _open_and_serve(self, opener: ModelOpener) -> None:
        try:
            model = opener()
        except Exception as failure:
            error = f"{type(failure).__name__}: {failure}"
            with self._sessions_lock:
                self._opening -= 1
                none_serves = self._opening == 0 and self.sessions == 0
            if none_serves:
                self._refuse(f"no model session could be opened ({error})")
            else:
                logger.warning(
                    "a model session could not be opened (%s); the worker processes' calls run "
                    "on the others",
                    error,
                )
            return
        with self._sessions_lock:
            self._opening -= 1
            self.sessions += 1
        self._serve(model)

    def _refuse(self, error: str) -> None:
        """Answer every call with ``error`` (no session serves), until the server stops."""
        while (request := self.requests.get()) is not None:
            self.slots[request[0]].replies.put(error)

    def _serve(self, model: OnnxModel) -> None:
        while (request := self.requests.get()) is not None:
            number, rows = request
            tokens, probabilities = self._views[number]
            try:
                with self.load.call(rows):
                    model.run_into(tokens[:rows], probabilities[:rows])
                error = None
            except Exception as failure:  # the worker raises it, with its chunk
                error = f"{type(failure).__name__}: {failure}"
            self.slots[number].replies.put(error)
