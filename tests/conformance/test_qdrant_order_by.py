"""Port of qdrant/qdrant tests/openapi/test_order_by.py: scroll with `order_by` over integer, float and datetime
indexes, pagination with `start_from` plus has_id exclusion (with and without filters), multi-valued keys, and
no `offset` with `order_by`. The random data is seeded here."""
import datetime
import math
import random

import pytest

from qdrant_setup import basic_collection_setup, drop_collection, scroll

TOTAL_POINTS = 300
KEYS = [(k, d) for k in ("payload_id", "price", "maybe_repeated_float", "date_rfc3339", "date_simple")
        for d in ("asc", "desc")]


def make_points(amount, rng):
    repeated = float(amount)
    date = datetime.datetime(2026, 1, 1, 12, 0, 0)

    def next_float():
        nonlocal repeated
        repeated = repeated if rng.random() > 0.5 else repeated - 1.0
        return repeated

    def next_date():
        nonlocal date
        if rng.random() > 0.5:
            date += datetime.timedelta(days=1)
        return date.isoformat() + "Z"  # RFC 3339

    return [{"id": i, "vector": [0.1 * i] * 4, "payload": {
        "city": "London" if i % 3 == 0 else "Moscow",
        "is_middle_split": amount * 0.25 < i < amount * 0.75,
        "price": float(amount - i),
        "payload_id": i,
        "multi_id": [i, amount - i + 1],
        "maybe_repeated_float": next_float(),
        "date_rfc3339": next_date(),
        "date_simple": next_date().split("T")[0],
    }} for i in range(amount)]


@pytest.fixture(autouse=True, scope="module")
def setup(api, collection_name):
    basic_collection_setup(api, collection_name)
    points = make_points(TOTAL_POINTS, random.Random(42))
    for i in range(0, len(points), 50):
        status, body = api.put("/collections/%s/points?wait=true" % collection_name,
                               json={"points": points[i:i + 50]})
        assert status == 200, body
    for field, schema in [("city", "keyword"), ("is_middle_split", "bool"), ("price", "float"),
                          ("maybe_repeated_float", "float"), ("payload_id", "integer"), ("multi_id", "integer"),
                          ("date_rfc3339", "datetime"), ("date_simple", "datetime")]:
        status, body = api.put("/collections/%s/index?wait=true" % collection_name,
                               json={"field_name": field, "field_schema": schema})
        assert status == 200, body
    yield
    drop_collection(api, collection_name)


@pytest.mark.parametrize("direction,expected", [
    ("asc", [0, 1, 2, 3, 4]),
    ("desc", [TOTAL_POINTS - (i + 1) for i in range(5)]),
])
def test_order_by_int(api, collection_name, direction, expected):
    """test_order_by.py::test_order_by_int_ascending, test_order_by_int_descending"""
    status, body = scroll(api, collection_name, {"order_by": {"key": "payload_id", "direction": direction},
                                                 "limit": 5})
    assert status == 200, body
    result = body["result"]
    assert len(result["points"]) == 5
    assert [x["id"] for x in result["points"]] == expected
    assert result["next_page_offset"] is None  # offset is not supported with order_by


def paginate_whole_collection(api, name, key, direction, must=None):
    limit, pages, points_count = 23, 0, 0
    points_set, last_value_ids = set(), set()
    last_value = start_from = None
    status, body = api.post("/collections/%s/points/count" % name, json={"filter": {"must": must}, "exact": True})
    assert status == 200, body
    expected_points = body["result"]["count"]
    while True:
        status, body = scroll(api, name, {
            "order_by": {"key": key, "direction": direction, "start_from": start_from}, "limit": limit,
            "filter": {"must": must, "must_not": [{"has_id": list(last_value_ids)}]}})
        assert status == 200, body
        points = body["result"]["points"]
        if points:
            last_value = points[-1]["payload"][key]
        # exclude the ids already seen for the start_from value, as users are expected to do
        if start_from != last_value:
            last_value_ids.clear()
            start_from = last_value
        last_value_ids.update(p["id"] for p in points if p["payload"][key] == last_value)
        points_count += len(points)
        pages += 1
        for p in points:
            assert p["id"] not in points_set
            points_set.add(p["id"])
        if len(points) < limit:
            break
        assert pages < 1000, "pagination does not terminate"
    assert math.ceil(expected_points / limit) == pages
    assert expected_points == points_count


@pytest.mark.parametrize("key,direction", KEYS)
def test_paginate_whole_collection(api, collection_name, key, direction):
    """test_order_by.py::test_paginate_whole_collection"""
    paginate_whole_collection(api, collection_name, key, direction)


@pytest.mark.parametrize("key,direction", KEYS)
def test_order_by_pagination_with_filters(api, collection_name, key, direction):
    """test_order_by.py::test_order_by_pagination_with_filters"""
    for must in ([{"key": "city", "match": {"value": "London"}}],
                 [{"key": "is_middle_split", "match": {"value": False}}]):
        paginate_whole_collection(api, collection_name, key, direction, must)


@pytest.mark.xfail(strict=True, reason=(
    "engine: scroll order_by returns a point once; Qdrant returns it once per value of a multi-valued key"))
def test_multi_values_appear_multiple_times(api, collection_name):
    """test_order_by.py::test_multi_values_appear_multiple_times"""
    limit = TOTAL_POINTS * 2
    status, body = scroll(api, collection_name, {"order_by": "multi_id", "limit": limit})
    assert status == 200, body
    points = body["result"]["points"]
    assert len(points) == limit
    freqs = {}
    for p in points:
        freqs[p["id"]] = freqs.get(p["id"], 0) + 1
    assert all(c == 2 for c in freqs.values())


def test_cannot_use_offset_with_order_by(api, collection_name):
    """test_order_by.py::test_cannot_use_offset_with_order_by"""
    status, _ = scroll(api, collection_name, {"order_by": "payload_id", "offset": 10, "limit": 10})
    assert status == 400
