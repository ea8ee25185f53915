"""Port of qdrant/qdrant tests/openapi/test_delete_points.py."""
import pytest

from qdrant_setup import basic_collection_setup, drop_collection


@pytest.fixture(autouse=True)
def setup(api, collection_name):
    basic_collection_setup(api, collection_name)
    yield
    drop_collection(api, collection_name)


def test_delete_points(api, collection_name):
    """test_delete_points.py::test_delete_points: delete by filter (has_id), then by ids; points_count follows."""
    status, _ = api.post("/collections/%s/points/delete?wait=true" % collection_name,
                         json={"filter": {"must": [{"has_id": [5]}]}})
    assert status == 200
    status, body = api.get("/collections/%s" % collection_name)
    assert status == 200 and body["result"]["points_count"] == 9
    status, _ = api.post("/collections/%s/points/delete?wait=true" % collection_name, json={"points": [1, 2, 3, 4]})
    assert status == 200
    status, body = api.get("/collections/%s" % collection_name)
    assert status == 200 and body["result"]["points_count"] == 5
