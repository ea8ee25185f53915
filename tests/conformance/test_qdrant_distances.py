"""Ports of qdrant/qdrant tests/openapi/test_euclid_dist.py and test_manhattan_dist.py: distance scores are
distances (lower is better) and `score_threshold` is an upper bound for them."""
import pytest

from qdrant_setup import drop_collection, search


def setup_collection(api, name, distance):
    drop_collection(api, name)
    assert api.put("/collections/%s" % name, json={"vectors": {"size": 2, "distance": distance, "on_disk": False}})[0] == 200
    assert api.get("/collections/%s" % name)[0] == 200
    status, body = api.put("/collections/%s/points?wait=true" % name, json={"points": [
        {"id": 1, "vector": [0.0, 0.0], "payload": {"city": "Berlin"}},
        {"id": 2, "vector": [0.0, 1.0], "payload": {"city": ["Berlin", "London"]}},
        {"id": 3, "vector": [-1., -1.], "payload": {"city": ["Berlin", "Moscow"]}},
    ]})
    assert status == 200, body


@pytest.mark.parametrize("distance,scores,above_threshold", [
    ("Euclid", [1.0, 1.414214, 2.828427], 2),      # test_euclid_dist.py::test_search_with_threshold
    ("Manhattan", [1.0, 2.0, 4.0], 1),             # test_manhattan_dist.py::test_search_with_threshold
])
def test_search_with_threshold(api, distance, scores, above_threshold):
    """test_euclid_dist.py / test_manhattan_dist.py ::test_search_with_threshold"""
    name = "test_%s_dist" % distance.lower()
    setup_collection(api, name, distance)
    try:
        status, body = search(api, name, {"vector": [1., 1.], "limit": 3})
        assert status == 200
        res = body["result"]
        assert len(res) == 3
        assert [r["id"] for r in res] == [2, 1, 3]
        for r, s in zip(res, scores):
            assert r["score"] - s < 0.0001
        status, body = search(api, name, {"vector": [1., 1.], "limit": 3, "score_threshold": 1.5})
        assert status == 200
        res = body["result"]
        assert len(res) == above_threshold
        assert [r["id"] for r in res] == [2, 1][:above_threshold]
        for r, s in zip(res, scores):
            assert r["score"] - s < 0.0001
    finally:
        drop_collection(api, name)
