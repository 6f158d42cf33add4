"""Worker processes' model calls through the calling process's one session: the same numbers,
its errors passed back, no call larger than a slot."""

import multiprocessing
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from core.reference import ReferenceGenome
from model_export.parity import real_window_tokens
from service.scoring.model import OnnxModel
from service.scoring.shared_session import (
    SessionServer,
    SharedMemoryError,
    SlotRunner,
    check_shared_memory,
    not_scored_here,
)
from service.settings import DEMO_FASTA, DEMO_MODEL_DIR, Provider

ROWS = 8


@pytest.fixture(scope="module")
def model() -> OnnxModel:
    return OnnxModel(DEMO_MODEL_DIR, Provider.CPU, ROWS)


def test_a_slot_gives_what_the_session_gives_and_passes_its_errors_back(
    model: OnnxModel,
) -> None:
    tokens = real_window_tokens(ReferenceGenome(DEMO_FASTA), model.manifest.window)[:ROWS]
    with SessionServer(model, 2, multiprocessing.get_context("spawn")) as server:
        server.open_sessions([lambda: model])
        runners = [SlotRunner(server.slots[server.free.get()], server.requests) for _ in "ab"]
        assert [runner.slot.number for runner in runners] == [0, 1]
        direct = model.run_batch(tokens)
        np.testing.assert_array_equal(runners[1](tokens), direct)
        np.testing.assert_array_equal(runners[0](tokens[:3]), direct[:3])
        with pytest.raises(ValueError, match="9 rows in one call; a slot holds 8"):
            runners[0](np.concatenate([tokens, tokens[:1]]))
        unknown = np.full_like(tokens, 10**6)  # no such token: the session's Gather fails
        with pytest.raises(RuntimeError, match="model session of the calling process failed"):
            runners[0](unknown)
        np.testing.assert_array_equal(runners[0](tokens), direct)  # the server goes on


def test_two_sessions_serve_the_slots_with_the_same_numbers(model: OnnxModel) -> None:
    tokens = real_window_tokens(ReferenceGenome(DEMO_FASTA), model.manifest.window)[:ROWS]
    other = OnnxModel(DEMO_MODEL_DIR, Provider.CPU, ROWS)
    with SessionServer(model, 3, multiprocessing.get_context("spawn")) as server:
        server.open_sessions([lambda: model, lambda: other])
        runners = [SlotRunner(slot, server.requests) for slot in server.slots]
        with ThreadPoolExecutor(3) as pool:
            results = list(pool.map(lambda runner: [runner(tokens) for _ in range(4)], runners))
    direct = model.run_batch(tokens)
    for each in results:
        for probabilities in each:
            np.testing.assert_array_equal(probabilities, direct)
    assert server.sessions == 2 and server.load.figures().calls == 12


def test_a_session_that_cannot_be_opened_is_logged_and_the_others_serve(
    model: OnnxModel, caplog: pytest.LogCaptureFixture
) -> None:
    tokens = real_window_tokens(ReferenceGenome(DEMO_FASTA), model.manifest.window)[:ROWS]

    def out_of_memory() -> OnnxModel:
        raise RuntimeError("CUDA failure 2: out of memory")

    with SessionServer(model, 1, multiprocessing.get_context("spawn")) as server:
        server.open_sessions([out_of_memory, lambda: model])
        runner = SlotRunner(server.slots[0], server.requests)
        np.testing.assert_array_equal(runner(tokens), model.run_batch(tokens))
    assert server.sessions == 1
    assert (
        "a model session could not be opened (RuntimeError: CUDA failure 2: out of memory); "
        "the worker processes' calls run on the others" in caplog.text
    )
    # where none can be opened, every call is answered with the error (no worker waits)
    with SessionServer(model, 1, multiprocessing.get_context("spawn")) as server:
        server.open_sessions([out_of_memory, out_of_memory])
        runner = SlotRunner(server.slots[0], server.requests)
        for _ in range(2):
            with pytest.raises(RuntimeError) as refused:
                runner(tokens)
            assert str(refused.value) == (
                "the model session of the calling process failed: no model session could be "
                "opened (RuntimeError: CUDA failure 2: out of memory)"
            )
    assert server.sessions == 0


def test_a_process_whose_workers_score_scores_nothing_itself() -> None:
    model = OnnxModel(DEMO_MODEL_DIR, Provider.CPU, ROWS, runner=not_scored_here)
    assert model.session is None and len(model.manifest.features) == 45
    with pytest.raises(RuntimeError, match="serves its worker processes' model calls; it scores"):
        model.run_batch(np.zeros((1, model.tokens_per_frame), dtype=np.int64))


def test_slots_past_the_free_shared_memory_are_refused_before_any_is_made(tmp_path: Path) -> None:
    free = shutil.disk_usage(tmp_path).free
    check_shared_memory(free // 2, 3, tmp_path)
    with pytest.raises(SharedMemoryError, match=r"^3 worker processes need [\d,]+ MiB of shared"):
        check_shared_memory(free + 2**30, 3, tmp_path)
    check_shared_memory(10**15, 3, tmp_path / "absent")  # no such folder (not Linux): no check


def test_run_into_writes_the_probabilities_run_batch_gives_where_it_is_told(
    model: OnnxModel,
) -> None:
    tokens = real_window_tokens(ReferenceGenome(DEMO_FASTA), model.manifest.window)[:ROWS]
    features = len(model.manifest.features)
    slot = np.full((ROWS + 2, features), -1.0, dtype=np.float32)  # a slot larger than the call
    model.run_into(tokens[:5], slot[:5])
    np.testing.assert_array_equal(slot[:5], model.run_batch(tokens[:5]))
    assert (slot[5:] == -1.0).all()  # nothing past the rows asked for
    with pytest.raises(ValueError, match=r"\(5, 45\) for probabilities of \(4, 201\) tokens"):
        model.run_into(tokens[:4], slot[:5])
    with pytest.raises(ValueError, match="C-contiguous arrays only"):
        model.run_into(tokens[:5], np.asfortranarray(slot[:5]))
    halves = OnnxModel(
        DEMO_MODEL_DIR,
        Provider.CPU,
        ROWS,
        runner=lambda rows: np.full((len(rows), features), 0.5, dtype=np.float32),
    )
    halves.run_into(tokens[:3], slot[:3])  # a model without a session: its runner's answer
    assert (slot[:3] == 0.5).all() and (slot[3:5] != 0.5).all()
