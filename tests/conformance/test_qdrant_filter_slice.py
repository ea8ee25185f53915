"""Port of qdrant/qdrant tests/openapi/test_filter_slice.py (`slice` condition over numeric and UUID ids)."""
import pytest

from qdrant_setup import drop_collection, scroll

TOTAL_POINTS = 32
NAME = "test_filter_slice"


@pytest.fixture(autouse=True, scope="module")
def setup(api):
    drop_collection(api, NAME)
    assert api.put("/collections/%s" % NAME, json={"vectors": {"size": 2, "distance": "Dot"}})[0] == 200
    points = [{"id": i, "vector": [0.1, 0.2]} for i in range(TOTAL_POINTS // 2)] + [
        {"id": "00000000-0000-0000-0000-%012x" % seed, "vector": [0.1, 0.2]} for seed in range(TOTAL_POINTS // 2)]
    status, body = api.put("/collections/%s/points?wait=true" % NAME, json={"points": points})
    assert status == 200, body
    yield
    drop_collection(api, NAME)


def scroll_slice(api, total, index, clause="must"):
    status, body = scroll(api, NAME, {"filter": {clause: [{"slice": {"total": total, "index": index}}]},
                                      "limit": TOTAL_POINTS + 1, "with_payload": False, "with_vector": False})
    assert status == 200, body
    return {str(p["id"]) for p in body["result"]["points"]}


def test_slice_partition(api):
    """test_filter_slice.py::test_slice_partition"""
    seen = set()
    for index in range(4):
        ids = scroll_slice(api, 4, index)
        assert not (seen & ids), "slices must be disjoint"
        seen |= ids
    assert len(seen) == TOTAL_POINTS, "slices must cover all points"


def test_slice_must_not(api):
    """test_filter_slice.py::test_slice_must_not"""
    assert len(scroll_slice(api, 4, 0, "must_not")) == TOTAL_POINTS - len(scroll_slice(api, 4, 0))


@pytest.mark.parametrize("slice_body,expected_status", [
    ({"total": 4, "index": 4}, 422),  # index out of range: request validation
    ({"total": 0, "index": 0}, 400),  # zero total: deserialization
])
def test_slice_invalid(api, slice_body, expected_status):
    """test_filter_slice.py::test_slice_invalid"""
    status, _ = scroll(api, NAME, {"filter": {"must": [{"slice": slice_body}]}, "limit": 1})
    assert status == expected_status
