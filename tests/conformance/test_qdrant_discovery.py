"""Port of qdrant/qdrant tests/openapi/test_discovery.py: legacy /points/discover and /points/discover/batch —
context search (scores are losses, <= 0), target-only discovery ordered like a search with other scores, and the
integer (context rank) / fractional (target) parts of discovery scores. The random examples are seeded here."""
import math
import random

import pytest

from qdrant_setup import basic_collection_setup, drop_collection

COLL = "test_discovery"
RNG = random.Random(20261124)


def random_vector(dim=4):
    return [RNG.random() for _ in range(dim)]


def random_example(dim=4, min_id=1, max_id=8):
    return random_vector(dim) if RNG.random() < 0.5 else RNG.randint(min_id, max_id)


def count_ids_in_examples(context, target):
    ids = {e for pair in context for e in (pair["positive"], pair["negative"]) if isinstance(e, int)}
    if isinstance(target, int):
        ids.add(target)
    return len(ids)


def random_context():
    return [{"positive": random_example(), "negative": random_example()} for _ in range(2)]


@pytest.fixture(autouse=True, scope="module")
def setup(api):
    basic_collection_setup(api, COLL)
    yield
    drop_collection(api, COLL)


def discover(api, body):
    status, res = api.post("/collections/%s/points/discover" % COLL, json=body)
    assert status == 200, res
    return res["result"]


@pytest.mark.parametrize("run", range(5))
def test_context(api, run):
    """test_discovery.py::test_context"""
    context = random_context()
    points = discover(api, {"context": context, "limit": 8})
    assert len(points) == 8 - count_ids_in_examples(context, None)
    assert all(p["score"] <= 0.0 for p in points)


def test_only_target_is_search_with_different_scoring(api):
    """test_discovery.py::test_only_target_is_search_with_different_scoring"""
    target = random_vector()
    status, res = api.post("/collections/%s/points/search" % COLL, json={"vector": target, "limit": 8})
    assert status == 200
    found = res["result"]
    discovered = discover(api, {"target": target, "limit": 8})
    assert len(discovered) == 8 == len(found)
    for s, d in zip(found, discovered):
        assert s["id"] == d["id"]
        assert s["score"] != d["score"]


@pytest.mark.parametrize("run", range(5))
def test_discover_same_context(api, run):
    """test_discovery.py::test_discover_same_context"""
    target1, context = random_example(), random_context()
    p1 = discover(api, {"target": target1, "context": context, "limit": 8, "params": {"exact": True}})
    assert len(p1) == 8 - count_ids_in_examples(context, target1)
    target2 = random_example()
    p2 = discover(api, {"target": target2, "context": context, "limit": 8, "params": {"exact": True}})
    assert len(p2) == 8 - count_ids_in_examples(context, target2)
    by_id = {p["id"]: p for p in p2}
    for a in p1:
        if a["id"] in by_id:
            b = by_id[a["id"]]
            assert math.floor(a["score"]) == math.floor(b["score"])
            fa, fb = a["score"] - math.floor(a["score"]), b["score"] - math.floor(b["score"])
            if target1 == target2:
                assert math.isclose(fa, fb, rel_tol=1e-5)
            else:
                assert not math.isclose(fa, fb, rel_tol=1e-5)


@pytest.mark.parametrize("run", range(5))
def test_discover_same_target(api, run):
    """test_discovery.py::test_discover_same_target"""
    target, c1, c2 = random_example(), random_context(), random_context()
    p1 = discover(api, {"target": target, "context": c1, "limit": 8})
    assert len(p1) == 8 - count_ids_in_examples(c1, target)
    p2 = discover(api, {"target": target, "context": c2, "limit": 8})
    assert len(p2) == 8 - count_ids_in_examples(c2, target)
    by_id = {p["id"]: p for p in p2}
    for a in p1:
        if a["id"] in by_id:
            b = by_id[a["id"]]
            fa, fb = a["score"] - math.floor(a["score"]), b["score"] - math.floor(b["score"])
            assert math.isclose(fa, fb, rel_tol=1e-5)


def test_discover_batch(api):
    """test_discovery.py::test_discover_batch"""
    searches = [{"target": random_example(), "context": random_context(), "limit": 8} for _ in range(10)]
    singles = [discover(api, s) for s in searches]
    status, res = api.post("/collections/%s/points/discover/batch" % COLL, json={"searches": searches})
    assert status == 200
    assert res["result"] == singles


def test_null_offset(api):
    """test_discovery.py::test_null_offset"""
    discover(api, {"target": random_example(), "limit": 8, "offset": None})
