"""The score cache, against a real redis-server started on a free port."""

import os
import subprocess
import sys

import numpy as np
import pytest
import redis
from fastapi.testclient import TestClient

from core.reference import ReferenceGenome
from core.variants import ParsedInput, parse_variant_string
from service.main import create_app
from service.scoring.cache import LruCache, RedisCache
from service.scoring.engine import ScoringEngine, open_engine
from service.scoring.model import OnnxModel
from service.scoring.scores import ScoreValues, held_bytes
from service.settings import DEMO_FASTA, DEMO_MODEL_DIR, Provider, Settings
from tests.service.redis_server import RedisServer


@pytest.fixture(scope="module")
def model() -> OnnxModel:
    return OnnxModel(DEMO_MODEL_DIR, Provider.CPU, 320)


@pytest.fixture(scope="module")
def reference() -> ReferenceGenome:
    return ReferenceGenome(DEMO_FASTA)


def _parse(*texts: str) -> list[ParsedInput]:
    return [p for record, text in enumerate(texts) for p in parse_variant_string(text, record)]


def _counting_rows(engine: ScoringEngine, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Rows of every model call the engine makes from now on."""
    calls: list[int] = []
    predict = engine.model.predict

    def counted(tokens: np.ndarray) -> np.ndarray:
        calls.append(len(tokens))
        return predict(tokens)

    monkeypatch.setattr(engine.model, "predict", counted)
    return calls


def test_a_cached_score_comes_back_bit_for_bit() -> None:
    rng = np.random.default_rng(0)
    arrays = [rng.random(45) for _ in range(5)]
    score = ScoreValues(*arrays, priority=0.25)
    back = ScoreValues.from_bytes(score.to_bytes())
    for a, b in zip(
        arrays, (back.ref, back.alt, back.diff, back.logfold, back.evalue), strict=True
    ):
        assert b is not None and np.array_equal(a, b)
    assert back.priority == 0.25
    bare = ScoreValues.from_bytes(ScoreValues(*arrays[:4], evalue=None, priority=None).to_bytes())
    assert bare.evalue is None and bare.priority is None


def test_the_lru_drops_the_least_recently_used() -> None:
    cache = LruCache(capacity=2)
    value = ScoreValues(*(np.zeros(1) for _ in range(4)), evalue=None, priority=None)
    cache.put_many({"a": value, "b": value})
    cache.get_many(["a"])
    cache.put_many({"c": value})
    assert set(cache.get_many(["a", "b", "c"])) == {"a", "c"}


def test_identical_variants_are_scored_once(
    model: OnnxModel, reference: ReferenceGenome, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = ScoringEngine(model, reference)
    rows = _counting_rows(engine, monkeypatch)
    # the same deletion written three ways, plus an SNV twice
    scores = engine.score(
        _parse("20:1282160:TT:T", "chr20:1282149:CT:C", "20:1282147:TTCT:TTC", "20:1292033:C:T")
        + _parse("20-1292033-C-T")
    )
    assert [s.status.value for s in scores] == ["scored"] * 5
    assert sum(rows) == 2 * 20  # two distinct variants, 20 passes each
    first, third = scores[0].values, scores[2].values
    assert first is not None and third is not None
    assert np.array_equal(first.logfold, third.logfold)


def test_redis_serves_repeats_without_a_model_pass(
    model: OnnxModel,
    reference: ReferenceGenome,
    redis_server: RedisServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = ScoringEngine(model, reference, cache=RedisCache(redis_server.url, ttl_seconds=60))
    inputs = _parse("20:1292033:C:T", "20:1600125:GAA:G", "20:1292033:G:T")
    first = engine.score(inputs)
    client = redis.Redis.from_url(redis_server.url)
    assert client.dbsize() == 2  # the ref_mismatch is not cached
    assert 55 <= client.ttl(client.keys()[0]) <= 60
    rows = _counting_rows(engine, monkeypatch)
    second = engine.score(inputs)
    assert rows == []
    for a, b in zip(first, second, strict=True):
        assert a.status == b.status
        if a.values is not None and b.values is not None:
            assert np.array_equal(a.values.logfold, b.values.logfold)
            assert a.values.priority == b.values.priority


def test_scoring_goes_on_when_redis_goes_away(redis_server: RedisServer) -> None:
    settings = Settings(redis_url=redis_server.url)
    with TestClient(create_app(settings)) as client:
        body = {"variants": ["20:1292033:C:T"]}
        assert client.post("/score", json=body).json()["results"][0]["status"] == "scored"
        ready = client.get("/health/ready").json()
        assert (ready["cache"], ready["cache_available"]) == ("redis", True)
        redis_server.stop()
        again = client.post("/score", json={"variants": ["20:1292034:A:G", "20:1292033:C:T"]})
        assert again.status_code == 200
        assert [r["status"] for r in again.json()["results"]][1] == "scored"
        assert client.get("/health/ready").json()["cache_available"] is False


def test_warm_up_pre_scores_every_snv_of_a_region(
    model: OnnxModel,
    reference: ReferenceGenome,
    redis_server: RedisServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    command = [sys.executable, "-c", "from service.cli import main; main()", "warm"]
    env = {**os.environ, "REDIS_URL": redis_server.url}
    result = subprocess.run(
        [*command, "--region", "20:1292031-1292033"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "warmed the cache: 9 scored" in result.stderr
    assert redis.Redis.from_url(redis_server.url).dbsize() == 9
    engine = ScoringEngine(model, reference, cache=RedisCache(redis_server.url, ttl_seconds=60))
    rows = _counting_rows(engine, monkeypatch)
    (score,) = engine.score(_parse("chr20:1292033:C:A"))
    assert score.status.value == "scored" and rows == []
    no_redis = subprocess.run(
        [*command, "--region", "20:1-2"],
        env={k: v for k, v in env.items() if k != "REDIS_URL"},
        capture_output=True,
        text=True,
    )
    assert no_redis.returncode == 2 and "set REDIS_URL" in no_redis.stderr


def test_alts_at_one_site_share_their_ref_passes(
    model: OnnxModel, reference: ReferenceGenome, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = ScoringEngine(model, reference)
    separately = [engine.score(_parse(f"20:1292033:C:{alt}"))[0] for alt in "TGA"]
    rows = _counting_rows(engine, monkeypatch)
    together = engine.score(_parse("20:1292033:C:T,G,A"))
    assert sum(rows) == (1 + 3) * 2 * 5  # one ref window and three alt windows, 2 strands, 5 frames
    for alone, shared in zip(separately, together, strict=True):
        assert alone.values is not None and shared.values is not None
        np.testing.assert_allclose(shared.values.logfold, alone.values.logfold, atol=1e-6)


def test_the_in_process_cache_holds_what_its_byte_budget_allows() -> None:
    """At most ``LOGOSCORE_CACHE_CAPACITY`` scores, fewer where their arrays would take more
    than ``LOGOSCORE_CACHE_MAX_BYTES`` (a model of many features)."""
    assert held_bytes(45, True) == 2_824 and held_bytes(919, True) == 37_784
    assert (256 << 20) // held_bytes(919, True) == 7_104
    for settings, capacity in [
        (Settings(), 50_000),
        (Settings(cache_max_bytes=10 * held_bytes(45, True) + 1), 10),
    ]:
        cache = open_engine(settings).cache
        assert isinstance(cache, LruCache) and cache.capacity == capacity
