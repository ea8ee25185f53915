"""Port of qdrant/qdrant tests/openapi/test_recommend.py (legacy /points/recommend and /points/recommend/batch:
average_vector and best_score strategies, raw vectors as examples, missing lookup_from collection)."""
import pytest

from qdrant_setup import basic_collection_setup, drop_collection, search


@pytest.fixture(autouse=True, scope="module")
def setup(api, collection_name):
    basic_collection_setup(api, collection_name)
    yield
    drop_collection(api, collection_name)


def recommend(api, name, body):
    return api.post("/collections/%s/points/recommend" % name, json=body)


def get_points(api, name, ids):
    status, body = api.post("/collections/%s/points" % name, json={"ids": ids, "with_vector": True})
    assert status == 200
    return body["result"]


def test_default_is_avg_vector(api, collection_name):
    """test_recommend.py::test_default_is_avg_vector"""
    params = {"positive": [1, 2], "negative": [3, 4], "exact": True, "limit": 10}
    status, default = recommend(api, collection_name, params)
    assert status == 200
    # only 4, because there are 8 (dense) vectors and 4 are used as examples
    assert len(default["result"]) == 4
    status, avg = recommend(api, collection_name, dict(params, strategy="average_vector"))
    assert status == 200
    assert len(avg["result"]) == 4
    assert default["result"] == avg["result"]


def test_single_vs_batch(api, collection_name):
    """test_recommend.py::test_single_vs_batch"""
    params_list = [
        {"positive": [1, 2], "negative": [3, 4], "limit": 1},
        {"positive": [1], "negative": [3, 4], "limit": 1},
        {"negative": [4, 5], "exact": True, "strategy": "best_score", "limit": 1},
        {"positive": [2, 3], "negative": [4, 5], "strategy": "best_score", "limit": 1},
        {"positive": [2, 3], "negative": [4, 5], "exact": True, "strategy": "best_score", "limit": 1},
        {"positive": [8], "negative": [], "exact": True, "strategy": "average_vector", "limit": 1},
    ]
    status, batch = api.post("/collections/%s/points/recommend/batch" % collection_name,
                             json={"searches": params_list})
    assert status == 200
    assert len(batch["result"]) == len(params_list)
    for i, params in enumerate(params_list):
        status, single = recommend(api, collection_name, params)
        assert status == 200
        assert single["result"] == batch["result"][i]


def test_without_positives(api, collection_name):
    """test_recommend.py::test_without_positives"""
    def req(positive, strategy=None):
        body = {"positive": positive, "limit": 2}
        if strategy is not None:
            body["strategy"] = strategy
        return recommend(api, collection_name, body)[0]
    assert req([1, 2]) == 200
    assert req([]) == 400
    assert req([], "average_vector") == 400
    assert req([], "best_score") == 400  # no negative and no positive


def test_best_score_works_with_only_negatives(api, collection_name):
    """test_recommend.py::test_best_score_works_with_only_negatives"""
    status, body = recommend(api, collection_name, {"negative": [1, 2], "strategy": "best_score", "limit": 5})
    assert status == 200
    assert len(body["result"]) == 5
    for r in body["result"]:
        assert r["score"] < 0


def test_only_1_positive_in_best_score_is_equivalent_to_normal_search(api, collection_name):
    """test_recommend.py::test_only_1_positive_in_best_score_is_equivalent_to_normal_search"""
    limit = 4
    status, reco = recommend(api, collection_name, {"positive": [1], "strategy": "best_score", "limit": limit,
                                                    "exact": True})
    assert status == 200 and len(reco["result"]) == limit
    vector = get_points(api, collection_name, [1])[0]["vector"]
    status, found = search(api, collection_name, {"vector": vector, "filter": {"must_not": [{"has_id": [1]}]},
                                                  "limit": limit, "exact": True})
    assert status == 200 and len(found["result"]) == limit
    # scores can differ, ids and order must not
    assert [r["id"] for r in reco["result"]] == [r["id"] for r in found["result"]]


def test_raw_vectors(api, collection_name):
    """test_recommend.py::test_raw_vectors"""
    points = get_points(api, collection_name, [1, 2, 3, 4, 5, 6, 7, 8])
    status, by_ids = recommend(api, collection_name, {
        "positive": [p["id"] for p in points[:2]], "negative": [p["id"] for p in points[2:4]], "limit": 8})
    assert status == 200 and len(by_ids["result"]) == 4
    status, raw = recommend(api, collection_name, {
        "positive": [p["vector"] for p in points[:2]], "negative": [p["vector"] for p in points[2:4]], "limit": 8,
        "filter": {"must_not": [{"has_id": [p["id"] for p in points[:4]]}]}})
    assert status == 200 and len(raw["result"]) == 4
    assert by_ids["result"] == raw["result"]


def test_recommend_missing_lookup_from_collection_with_raw_vector(api, collection_name):
    """test_recommend.py::test_recommend_missing_lookup_from_collection_with_raw_vector"""
    missing = "missing_lookup_from_collection"
    lookup_from = {"collection": missing, "vector": "default"}
    status, body = recommend(api, collection_name, {"positive": [[0.1, 0.2, 0.3, 0.4]], "limit": 3,
                                                    "lookup_from": lookup_from})
    assert status == 404, body
    assert missing in body["status"]["error"]
    status, body = api.post("/collections/%s/points/recommend/batch" % collection_name, json={"searches": [
        {"positive": [[0.1, 0.2, 0.3, 0.4]], "limit": 3, "lookup_from": lookup_from}]})
    assert status == 404, body
    assert missing in body["status"]["error"]
