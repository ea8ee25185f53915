"""Collections used by Qdrant's tests/openapi suite (tests/openapi/helpers/collection_setup.py), for Quiver.

Differences, because Quiver has no sparse vectors: `basic_collection_setup` and `multipayload_collection_setup`
create no `sparse-text` vector, and points 9 and 10 of the basic collection (which carry only a sparse vector in
Qdrant's version) are upserted with a dense vector that is then deleted (`/points/vectors/delete`), so they have
no vector at all. Counts,
filters and searches over the dense vector see the same points as in Qdrant.
"""


def drop_collection(api, name="test_collection"):
    status, _ = api.delete("/collections/%s" % name)
    assert status == 200


def _create(api, name, body):
    drop_collection(api, name)
    status, res = api.put("/collections/%s" % name, json=body)
    assert status == 200, res
    status, res = api.get("/collections/%s" % name)
    assert status == 200, res


def _upsert(api, name, points):
    status, res = api.put("/collections/%s/points?wait=true" % name, json={"points": points})
    assert status == 200, res


def basic_collection_setup(api, collection_name="test_collection", on_disk_payload=True, on_disk_vectors=False):
    _create(api, collection_name, {
        "vectors": {"size": 4, "distance": "Dot", "on_disk": on_disk_vectors},
        "on_disk_payload": on_disk_payload,
    })
    _upsert(api, collection_name, [
        {"id": 1, "vector": [0.05, 0.61, 0.76, 0.74], "payload": {"city": "Berlin", "price": 10.0}},
        {"id": 2, "vector": [0.19, 0.81, 0.75, 0.11], "payload": {"city": ["Berlin", "London"], "price": 11.0}},
        {"id": 3, "vector": [0.36, 0.55, 0.47, 0.94], "payload": {"city": ["Berlin", "Moscow"], "price": 9.5}},
        {"id": 4, "vector": [0.18, 0.01, 0.85, 0.80], "payload": {"city": ["London", "Moscow"], "price": 9}},
        {"id": 5, "vector": [0.24, 0.18, 0.22, 0.44], "payload": {"count": 0}},
        {"id": 6, "vector": [0.35, 0.08, 0.11, 0.44]},
        {"id": 7, "vector": [0.25, 0.98, 0.14, 0.43], "payload": {"city": None, "price": None}},
        {"id": 8, "vector": [0.79, 0.53, 0.72, 0.15], "payload": {"city": [], "price": []}},
        {"id": 9, "vector": [0.0, 0.0, 0.0, 0.0]},
        {"id": 10, "vector": [0.0, 0.0, 0.0, 0.0], "payload": {"city": [], "price": []}},
    ])
    # points 9 and 10 carry only a sparse vector in Qdrant's setup: here they keep no vector at all
    status, res = api.post("/collections/%s/points/vectors/delete?wait=true" % collection_name,
                           json={"points": [9, 10], "vector": [""]})
    assert status == 200, res


def multipayload_collection_setup(api, collection_name="test_collection", on_disk_payload=True,
                                  on_disk_vectors=False):
    _create(api, collection_name, {
        "vectors": {"size": 4, "distance": "Dot", "on_disk": on_disk_vectors},
        "on_disk_payload": on_disk_payload,
    })
    _upsert(api, collection_name, [
        {"id": 1, "vector": [0.05, 0.61, 0.76, 0.74], "payload": {"city": "Berlin", "color": "red"}},
        {"id": 2, "vector": [0.19, 0.81, 0.75, 0.11], "payload": {"city": ["Berlin", "London"], "color": "green"}},
        {"id": 3, "vector": [0.36, 0.55, 0.47, 0.94], "payload": {"city": ["Berlin", "Moscow"], "color": "blue"}},
        {"id": 4, "vector": [0.18, 0.01, 0.85, 0.80], "payload": {"city": ["London", "Moscow"], "color": "red"}},
        {"id": 5, "vector": [0.24, 0.18, 0.22, 0.44], "payload": {"city": "Seoul", "color": "red", "count": 0}},
        {"id": 6, "vector": [0.35, 0.08, 0.11, 0.44],
         "payload": {"city": "Berlin", "color": "red", "count": 1, "price": 10.0}},
        {"id": 7, "vector": [0.25, 0.98, 0.14, 0.43],
         "payload": {"city": "London", "color": "red", "count": 0, "price": 50.0}},
        {"id": 8, "vector": [0.19, 0.53, 0.72, 0.15],
         "payload": {"city": "Moscow", "color": "red", "count": 1, "price": 100.0}},
    ])


def search(api, name, body):
    return api.post("/collections/%s/points/search" % name, json=body)


def query(api, name, body):
    return api.post("/collections/%s/points/query" % name, json=body)


def scroll(api, name, body):
    return api.post("/collections/%s/points/scroll" % name, json=body)


def multivec_collection_setup(api, collection_name="test_collection", on_disk_payload=True, on_disk_vectors=False,
                              distance=None):
    """helpers/collection_setup.py multivec_collection_setup without the two sparse vectors: points 7 and 8,
    which carry only sparse vectors in Qdrant's version, have no vector here."""
    _create(api, collection_name, {
        "vectors": {"image": {"size": 4, "distance": distance or "Dot", "on_disk": on_disk_vectors},
                    "text": {"size": 8, "distance": distance or "Cosine", "on_disk": on_disk_vectors}},
        "on_disk_payload": on_disk_payload,
    })

    def both(v):
        return {"image": v, "text": v + v}
    _upsert(api, collection_name, [
        {"id": 1, "vector": both([0.05, 0.61, 0.76, 0.74]), "payload": {"city": "Berlin"}},
        {"id": 2, "vector": both([0.19, 0.81, 0.75, 0.11]), "payload": {"city": ["Berlin", "London"]}},
        {"id": 3, "vector": both([0.36, 0.55, 0.47, 0.94]), "payload": {"city": ["Berlin", "Moscow"]}},
        {"id": 4, "vector": both([0.18, 0.01, 0.85, 0.80]), "payload": {"city": ["London", "Moscow"]}},
        {"id": 5, "vector": both([0.24, 0.18, 0.22, 0.44]), "payload": {"count": 0}},
        {"id": 6, "vector": both([0.35, 0.08, 0.11, 0.44])},
        {"id": 7, "vector": {}},
        {"id": 8, "vector": {}, "payload": {"count": 0}},
    ])
