"""Port of qdrant/qdrant tests/openapi/test_geo_filter.py (geo_polygon: simple, optional interiors, spanning
signs, whole globe, interiors, invalid rings, several polygons). Setup: geo_collection_setup() of
helpers/collection_setup.py."""
import pytest

from qdrant_setup import drop_collection, search

Q = [0.2, 0.1, 0.9, 0.7]


@pytest.fixture(autouse=True)
def setup(api, collection_name):
    drop_collection(api, collection_name)
    assert api.put("/collections/%s" % collection_name, json={
        "vectors": {"size": 4, "distance": "Dot", "on_disk": False}, "on_disk_payload": True})[0] == 200
    assert api.get("/collections/%s" % collection_name)[0] == 200
    status, body = api.put("/collections/%s/points?wait=true" % collection_name, json={"points": [
        {"id": 1, "vector": [0.05, 0.61, 0.76, 0.74], "payload": {"value": 1, "location": {"lon": 50.5200, "lat": 50.4050}}},
        {"id": 2, "vector": [0.19, 0.81, 0.75, 0.11], "payload": {"value": 2, "location": {"lon": 60.5200, "lat": 60.4050}}},
        {"id": 3, "vector": [0.36, 0.55, 0.47, 0.94], "payload": {"value": 3, "location": {"lon": -60.5200, "lat": -60.4050}}},
        {"id": 4, "vector": [0.18, 0.01, 0.85, 0.80], "payload": {"value": 4, "location": {"lon": 80.5200, "lat": 80.4050}}},
        {"id": 5, "vector": [0.24, 0.18, 0.22, 0.44], "payload": {"value": 5, "location": {"lon": -72.5200, "lat": -72.4050}}},
        {"id": 6, "vector": [0.24, 0.18, 0.22, 0.44], "payload": {"value": 6}},  # no location
    ]})
    assert status == 200, body
    yield
    drop_collection(api, collection_name)


def ring(*pts):
    return {"points": [{"lon": lon, "lat": lat} for lon, lat in pts]}


def box(lo, hi):
    return ring((lo, lo), (hi, lo), (hi, hi), (lo, hi), (lo, lo))


def polygon_search(api, name, polygon, clause="must"):
    conds = [{"key": "location", "geo_polygon": p} for p in (polygon if isinstance(polygon, list) else [polygon])]
    return search(api, name, {"vector": Q, "limit": 3, "filter": {clause: conds}})


def ids_ok(api, name, polygon, clause="must"):
    status, body = polygon_search(api, name, polygon, clause)
    assert status == 200, body
    return [x["id"] for x in body["result"]]


def test_geo_polygon_simple(api, collection_name):
    """test_geo_filter.py::test_geo_polygon_simple"""
    ext = ring((55.455868, 55.495862), (86.455868, 55.495862), (86.455868, 86.495862), (55.455868, 86.495862),
               (55.455868, 55.495862))
    ids = ids_ok(api, collection_name, {"exterior": ext, "interiors": []})
    assert len(ids) == 2 and 2 in ids and 4 in ids
    ids = ids_ok(api, collection_name, {"exterior": ext})  # interiors is optional
    assert len(ids) == 2 and 2 in ids and 4 in ids
    ids = ids_ok(api, collection_name, {"exterior": box(-70.0, 60.0)})  # spans negative to positive
    assert len(ids) == 2 and 1 in ids and 3 in ids
    whole = ring((-180.0, -90.0), (180.0, -90.0), (180.0, 90.0), (-180.0, 90.0), (-180.0, -90.0))
    ids = ids_ok(api, collection_name, {"exterior": whole})
    assert len(ids) == 3 and 1 in ids and 3 in ids and 4 in ids


def test_geo_polygon_with_interiors(api, collection_name):
    """test_geo_filter.py::test_geo_polygon_with_interiors"""
    ids = ids_ok(api, collection_name, {"exterior": box(-70.0, 60.0),
                                        "interiors": [ring((-65.0, -65.0), (0.0, -65.0), (0.0, 0.0), (-65.0, 0.0),
                                                           (-65.0, -65.0))]})
    assert len(ids) == 1 and 1 in ids


def test_geo_polygon_invalid(api, collection_name):
    """test_geo_filter.py::test_geo_polygon_invalid: unclosed ring, too few points"""
    status, _ = polygon_search(api, collection_name, {"exterior": ring(
        (-180.0, -90.0), (180.0, -90.0), (180.0, 90.0), (-180.0, 90.0))})
    assert status != 200
    status, _ = polygon_search(api, collection_name, {"exterior": ring(
        (-180.0, -90.0), (180.0, -90.0), (-180.0, -90.0))})
    assert status != 200


def test_geo_polygon_multiple(api, collection_name):
    """test_geo_filter.py::test_geo_polygon_multiple"""
    polys = [{"exterior": box(55.0, 65.0)}, {"exterior": box(75.0, 85.0)}]
    ids = ids_ok(api, collection_name, polys, "should")
    assert len(ids) == 2 and 2 in ids and 4 in ids
    assert len(ids_ok(api, collection_name, polys, "must")) == 0  # no overlap
