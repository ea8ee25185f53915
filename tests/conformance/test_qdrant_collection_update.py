"""Ports of qdrant/qdrant tests/openapi/test_collection_update.py, test_filter_has_vector.py and
test_collection_metadata.py.

test_collection_update.py::test_collection_update PATCHes `sparse_vectors` and quantization together; here the
PATCH is sent without the `sparse_vectors` part (quantization_config is stored and reported, though Quiver does
not quantize yet). test_filter_has_vector.py: the `has_vector: "sparse-text"` half is left
out (no sparse vectors); its setup (multivec_collection_setup) keeps the dense `image`/`text` vectors, and points 7
and 8, which have only sparse vectors in Qdrant's version, have no vector here.
"""
import pytest

from qdrant_setup import basic_collection_setup, drop_collection


def test_collection_update(api, collection_name):
    """test_collection_update.py::test_collection_update (without `sparse_vectors`)"""
    basic_collection_setup(api, collection_name)
    try:
        status, body = api.patch("/collections/%s" % collection_name, json={
            "vectors": {"": {"hnsw_config": {"m": 32, "ef_construct": 123},
                             "quantization_config": {"scalar": {"type": "int8", "quantile": 0.8}}}},
            "optimizers_config": {"default_segment_number": 6, "indexing_threshold": 10000},
        })
        assert status == 200, body
        status, body = api.put("/collections/%s/points?wait=true" % collection_name, json={"points": [
            {"id": 7, "vector": [0.15, 0.31, 0.76, 0.74], "payload": {"city": "Rome"}}]})
        assert status == 200, body
        assert api.get("/collections/%s/points/7" % collection_name)[0] == 200
    finally:
        drop_collection(api, collection_name)


@pytest.mark.parametrize("on_disk_payload", [False, True])
def test_edit_collection_params(api, collection_name, on_disk_payload):
    """test_collection_update.py::test_edit_collection_params (on_disk_vectors=False)"""
    basic_collection_setup(api, collection_name, on_disk_payload=False)
    try:
        status, body = api.get("/collections/%s" % collection_name)
        assert status == 200
        config = body["result"]["config"]
        assert "hnsw_config" not in config["params"]["vectors"]
        assert "quantization_config" not in config["params"]["vectors"]
        assert config["params"]["vectors"]["on_disk"] is False
        assert not config["params"]["on_disk_payload"]
        assert config["hnsw_config"]["m"] == 16
        assert config["hnsw_config"]["ef_construct"] == 100
        assert config["quantization_config"] is None
        status, body = api.patch("/collections/%s" % collection_name, json={
            "vectors": {"": {"hnsw_config": {"m": 32},
                             "quantization_config": {"scalar": {"type": "int8", "quantile": 0.8}},
                             "on_disk": True}},
            "hnsw_config": {"ef_construct": 123},
            "quantization_config": {"scalar": {"type": "int8", "quantile": 0.99, "always_ram": True}},
            "params": {"on_disk_payload": on_disk_payload},
        })
        assert status == 200, body
        status, body = api.get("/collections/%s" % collection_name)
        assert status == 200
        config = body["result"]["config"]
        v = config["params"]["vectors"]
        assert v["hnsw_config"]["m"] == 32
        assert v["quantization_config"]["scalar"]["type"] == "int8"
        assert v["quantization_config"]["scalar"]["quantile"] == 0.8
        assert "always_ram" not in v["quantization_config"]["scalar"]
        assert v["on_disk"]
        assert config["params"]["on_disk_payload"] == on_disk_payload
        assert config["hnsw_config"]["m"] == 16
        assert config["hnsw_config"]["ef_construct"] == 123
        assert config["quantization_config"]["scalar"]["type"] == "int8"
        assert config["quantization_config"]["scalar"]["quantile"] == 0.99
        assert config["quantization_config"]["scalar"]["always_ram"]
        status, body = api.patch("/collections/%s" % collection_name, json={
            "vectors": {"": {"hnsw_config": {"m": 10, "ef_construct": 100},
                             "quantization_config": {"product": {"compression": "x32", "always_ram": True}},
                             "on_disk": False}},
            "params": {"on_disk_payload": on_disk_payload},
        })
        assert status == 200, body
        status, body = api.get("/collections/%s" % collection_name)
        assert status == 200
        config = body["result"]["config"]
        v = config["params"]["vectors"]
        assert v["hnsw_config"]["m"] == 10
        assert v["hnsw_config"]["ef_construct"] == 100
        assert v["quantization_config"]["product"]["compression"] == "x32"
        assert v["quantization_config"]["product"]["always_ram"]
        assert not v["on_disk"]
        assert config["params"]["on_disk_payload"] == on_disk_payload
        assert config["quantization_config"]["scalar"]["type"] == "int8"
        assert config["quantization_config"]["scalar"]["quantile"] == 0.99
        assert config["quantization_config"]["scalar"]["always_ram"]
    finally:
        drop_collection(api, collection_name)


def test_filter_has_vector(api, collection_name):
    """test_filter_has_vector.py::test_filter_has_vector (dense half)"""
    drop_collection(api, collection_name)
    assert api.put("/collections/%s" % collection_name, json={"vectors": {
        "image": {"size": 4, "distance": "Dot"}, "text": {"size": 8, "distance": "Cosine"}}})[0] == 200

    def both(v):
        return {"image": v, "text": v + v}
    points = [
        {"id": 1, "vector": both([0.05, 0.61, 0.76, 0.74]), "payload": {"city": "Berlin"}},
        {"id": 2, "vector": both([0.19, 0.81, 0.75, 0.11]), "payload": {"city": ["Berlin", "London"]}},
        {"id": 3, "vector": both([0.36, 0.55, 0.47, 0.94]), "payload": {"city": ["Berlin", "Moscow"]}},
        {"id": 4, "vector": both([0.18, 0.01, 0.85, 0.80]), "payload": {"city": ["London", "Moscow"]}},
        {"id": 5, "vector": both([0.24, 0.18, 0.22, 0.44]), "payload": {"count": 0}},
        {"id": 6, "vector": both([0.35, 0.08, 0.11, 0.44])},
        {"id": 7, "vector": {}},
        {"id": 8, "vector": {}, "payload": {"count": 0}},
    ]
    try:
        status, body = api.put("/collections/%s/points?wait=true" % collection_name, json={"points": points})
        assert status == 200, body
        status, body = api.post("/collections/%s/points/query" % collection_name,
                                json={"limit": 20, "filter": {"must": [{"has_vector": "text"}]}})
        assert status == 200
        assert len(body["result"]["points"]) == 6, body
        ids = [x["id"] for x in body["result"]["points"]]
        assert 7 not in ids and 8 not in ids
    finally:
        drop_collection(api, collection_name)


def test_collection_metadata(api, collection_name):
    """test_collection_metadata.py::test_collection_exists: PATCH metadata merges keys"""
    basic_collection_setup(api, collection_name)
    try:
        for meta in ({"new_meta": "value"}, {"new_meta_2": "value2"}, {"new_meta": "value3"}):
            status, body = api.patch("/collections/%s" % collection_name, json={"metadata": meta})
            assert status == 200, body
        status, body = api.get("/collections/%s" % collection_name)
        assert status == 200
        assert body["result"]["config"]["metadata"] == {"new_meta": "value3", "new_meta_2": "value2"}
    finally:
        drop_collection(api, collection_name)
