"""Port of qdrant/qdrant tests/openapi/test_optional_vectors.py (named vectors that a point may lack: delete,
partial upsert, update). Setup: multivec_collection_setup(distance='Dot') without sparse vectors. Ported:
test_delete_and_search, test_retrieve_deleted_vector, test_upsert_partial_vectors, test_update_vectors,
test_update_empty_vectors, test_update_vectors_unknown_point."""
import pytest

from qdrant_setup import drop_collection, multivec_collection_setup

TEXT_1 = [0.34035879, 0.344099, 0.3478392, 0.35157941, 0.35531961, 0.35905982, 0.36280003, 0.36654023]
TEXT_2 = [0.07902951, 0.22391693, 0.36880436, 0.51369179, 0.59272129, 0.07902951, 0.22391693, 0.36880436]


@pytest.fixture(autouse=True)
def setup(api, collection_name):
    multivec_collection_setup(api, collection_name, distance="Dot")
    yield
    drop_collection(api, collection_name)


def close(v1, v2):
    return len(v1) == len(v2) and all(abs(a - b) <= 1e-5 for a, b in zip(v1, v2))


def get(api, name, pid):
    status, body = api.get("/collections/%s/points/%d" % (name, pid))
    assert status == 200, body
    return body["result"]


def write(api, method, path, body):
    status, res = api.request(method, path + "?wait=true", json=body)
    assert status == 200, res


def test_delete_and_search(api, collection_name):
    """test_optional_vectors.py::test_delete_and_search"""
    n = collection_name
    write(api, "POST", "/collections/%s/points/vectors/delete" % n, {"points": [2, 3], "vector": ["text"]})
    status, body = api.post("/collections/%s/points/search" % n, json={
        "vector": {"name": "image", "vector": [0.0, 0.0, 1.0, 1.0]}, "limit": 10, "with_payload": True,
        "with_vector": ["text"]})
    assert status == 200, body


def test_retrieve_deleted_vector(api, collection_name):
    """test_optional_vectors.py::test_retrieve_deleted_vector"""
    n = collection_name
    write(api, "POST", "/collections/%s/points/vectors/delete" % n, {"points": [1, 3], "vector": ["text"]})
    status, body = api.post("/collections/%s/points" % n, json={"ids": [1, 2, 3, 4],
                                                               "with_vectors": ["text", "image"],
                                                               "with_payload": True})
    assert status == 200
    result = body["result"]
    assert len(result) == 4
    by_id = {r["id"]: r for r in result}
    for pid, has_text in ((1, False), (2, True), (3, False), (4, True)):
        assert by_id[pid]["vector"].get("image") is not None
        assert (by_id[pid]["vector"].get("text") is not None) == has_text


def test_upsert_partial_vectors(api, collection_name):
    """test_optional_vectors.py::test_upsert_partial_vectors"""
    n = collection_name
    write(api, "PUT", "/collections/%s/points" % n, {"points": [
        {"id": 101, "vector": {"text": [0.05, 0.61, 0.76, 0.74, 0.05, 0.61, 0.76, 0.74]}, "payload": {"city": "Berlin"}},
        {"id": 102, "vector": {"image": [0.19, 0.81, 0.75, 0.11]}, "payload": {"city": ["Berlin", "London"]}},
        {"id": 103, "vector": {}, "payload": {"city": ["Berlin", "Moscow"]}},
    ]})
    for pid, image, text in ((101, False, True), (102, True, False), (103, False, False)):
        r = get(api, n, pid)
        assert r["id"] == pid
        assert ("image" in r["vector"]) == image
        assert ("text" in r["vector"]) == text


def test_update_vectors(api, collection_name):
    """test_optional_vectors.py::test_update_vectors"""
    n, pid = collection_name, 1000
    write(api, "PUT", "/collections/%s/points" % n, {"points": [{"id": pid, "vector": {}, "payload": {"city": "Berlin"}}]})
    assert get(api, n, pid)["vector"].get("text") is None
    write(api, "PUT", "/collections/%s/points/vectors" % n, {"points": [{"id": pid, "vector": {"text": TEXT_1}}]})
    r = get(api, n, pid)
    assert close(r["vector"]["text"], TEXT_1)
    assert r["payload"]["city"] == "Berlin"
    image = [0.19, 0.28, 0.37, 0.46]
    write(api, "PUT", "/collections/%s/points/vectors" % n,
          {"points": [{"id": pid, "vector": {"text": TEXT_2, "image": image}}]})
    r = get(api, n, pid)
    assert close(r["vector"]["image"], image) and close(r["vector"]["text"], TEXT_2)
    image = [0.00, 0.01, 0.00, 0.01]
    write(api, "PUT", "/collections/%s/points/vectors" % n, {"points": [{"id": pid, "vector": {"image": image}}]})
    r = get(api, n, pid)
    assert close(r["vector"]["image"], image) and close(r["vector"]["text"], TEXT_2)


def test_update_empty_vectors(api, collection_name):
    """test_optional_vectors.py::test_update_empty_vectors"""
    n = collection_name
    write(api, "POST", "/collections/%s/points/vectors/delete" % n, {"points": [1], "vector": ["image", "text"]})
    r = get(api, n, 1)
    assert "text" not in r["vector"] and "image" not in r["vector"]
    write(api, "PUT", "/collections/%s/points/vectors" % n, {"points": [{"id": 1, "vector": {"text": TEXT_1}}]})
    r = get(api, n, 1)
    assert close(r["vector"]["text"], TEXT_1) and "image" not in r["vector"]
    image = [0.19, 0.28, 0.37, 0.46]
    write(api, "PUT", "/collections/%s/points/vectors" % n, {"points": [{"id": 1, "vector": {"image": image}}]})
    r = get(api, n, 1)
    assert close(r["vector"]["image"], image) and close(r["vector"]["text"], TEXT_1)


def test_update_vectors_unknown_point(api, collection_name):
    """test_optional_vectors.py::test_update_vectors_unknown_point"""
    status, body = api.put("/collections/%s/points/vectors?wait=true" % collection_name, json={"points": [
        {"id": 1, "vector": {"text": [0.05, 0.61, 0.76, 0.74, 0.05, 0.61, 0.76, 0.74]}, "payload": {"city": "Berlin"}},
        {"id": 424242424242424242, "vector": {"image": [0.19, 0.81, 0.75, 0.11]},
         "payload": {"city": ["Berlin", "London"]}},
    ]})
    assert status == 404
    assert body["status"]["error"] == "Not found: No point with id 424242424242424242 found"
