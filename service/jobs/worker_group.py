"""``logoscore worker --processes N``: one worker made of N RQ worker processes whose model
calls all run in this process's sessions (``service.scoring.shared_session``).

A GPU scores faster than one core builds windows and tokens and does the score math (one
worker process tops out near 2,700 variants/s on an H200: bench/RESULTS.md), and N worker
processes with a session each take turns on the GPU in time slices. Here each of the N processes
is a full ``logoscore worker`` (its own RQ worker: chunks, leases, retries as with one), doing
the host side of its chunks, and this process runs their model calls on its
``LOGOSCORE_MODEL_SESSIONS`` sessions, back to back on one GPU context.

SIGTERM or SIGINT here is passed on to each process once per signal: the first lets them finish
their chunk (RQ's warm shutdown), a second stops them at once (the chunk comes back to the
queue, ``service.jobs.worker``). The processes are in process groups of their own, so a
terminal's Ctrl-C reaches them only through this one, and each ends when this one ends. When one
ends on its own (a crash, Redis gone), the others are stopped and the worker exits 1, for its
supervisor to start it again.
"""

import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from types import FrameType

import redis

from service.jobs.worker import LOG_FORMAT, redis_failure, work
from service.scoring.engine import open_model, session_openers
from service.scoring.shared_session import SessionAccess, SessionServer, not_scored_here
from service.settings import Settings

logger = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
LOAD_LOG_SECONDS = 60.0
"""How often the worker logs how busy its model sessions were (``CallLoad``)."""


def _work(settings: Settings, burst: bool, sessions: SessionAccess) -> None:
    """One worker process: an RQ worker whose model calls go through a slot."""
    os.setpgrp()  # signals come through the parent only
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    try:
        work(settings, burst, sessions.open_engine(settings))
    except redis.RedisError as error:
        logger.error("%s", redis_failure(error))
        raise SystemExit(1) from None


class WorkerGroup:
    """The worker processes, started, watched and stopped together."""

    def __init__(self, processes: list[BaseProcess]) -> None:
        self.processes = processes
        self.started: list[BaseProcess] = []
        self.stops = 0

    def start(self) -> None:
        """Start the processes (none more once asked to stop)."""
        for process in self.processes:
            if self.stops:
                break
            process.start()
            self.started.append(process)

    def stop(self, signum: int = signal.SIGTERM, frame: FrameType | None = None) -> None:
        """Ask every running process to stop (a second time: at once)."""
        self.stops += 1
        for process in self.started:
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, signal.SIGTERM)

    @contextmanager
    def forwarding_signals(self) -> Iterator[None]:
        previous = {each: signal.signal(each, self.stop) for each in STOP_SIGNALS}
        try:
            yield
        finally:
            for each, handler in previous.items():
                signal.signal(each, handler)

    def wait(self, burst: bool) -> bool:
        """Wait for every process to end; false when one ended unasked (then the others are
        stopped): with ``burst``, each ends once the queue is empty."""
        running, ended_well = list(self.started), True
        while running:
            wait([process.sentinel for process in running])
            for process in [each for each in running if not each.is_alive()]:
                running.remove(process)
                if self.stops or (burst and process.exitcode == 0):
                    continue
                ended_well = False
                logger.error(
                    "worker process %s ended (exit status %s); stopping the others",
                    process.name,
                    process.exitcode,
                )
                self.stop()
        return ended_well


def work_group(settings: Settings, burst: bool, processes: int) -> bool:
    """Run ``processes`` worker processes on this process's model sessions until stopped (with
    ``burst``, until the queue is empty); false when one of them ended unasked."""
    context = multiprocessing.get_context("spawn")  # no forked onnxruntime or CUDA state
    model = open_model(settings, not_scored_here)  # the sessions open while the workers start
    sessions = session_openers(settings, model)
    logger.info("%d worker processes, their model calls on %d session(s)", processes, len(sessions))
    with SessionServer(model, processes, context) as server:
        group = WorkerGroup(
            [
                context.Process(
                    target=_work, args=(settings, burst, server.access), name=f"worker-{number}"
                )
                for number in range(processes)
            ]
        )
        with group.forwarding_signals(), logging_load(server):
            group.start()
            server.open_sessions(sessions)  # while the processes start
            return group.wait(burst)


@contextmanager
def logging_load(server: SessionServer, seconds: float = LOAD_LOG_SECONDS) -> Iterator[None]:
    """Log how busy the sessions were every ``seconds`` that had calls, and in all at the end."""
    stopped = threading.Event()

    def log_each_period() -> None:
        earlier, started = server.load.figures(), time.monotonic()
        while not stopped.wait(seconds):
            now, figures = time.monotonic(), server.load.figures()
            if figures.calls > earlier.calls:
                logger.info("%s", figures.since(earlier, now - started).describe(server.sessions))
            earlier, started = figures, now

    thread = threading.Thread(target=log_each_period, name="load-log", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stopped.set()
        thread.join()
        logger.info("in all: %s", server.load.figures().describe(server.sessions))
