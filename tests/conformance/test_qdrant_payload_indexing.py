"""Port of qdrant/qdrant tests/openapi/test_payload_indexing.py: create/delete keyword, bool and datetime indexes,
payload_schema counts, datetime range formats accepted and refused, updates on indexed fields."""
import pytest

from qdrant_setup import basic_collection_setup, drop_collection, scroll

NAME = "test_collection_payload_indexing"


@pytest.fixture(autouse=True)
def setup(api):
    basic_collection_setup(api, NAME)
    yield
    drop_collection(api, NAME)


def set_payload(api, payload, points):
    status, body = api.post("/collections/%s/points/payload?wait=true" % NAME,
                            json={"payload": payload, "points": points})
    assert status == 200, body


def create_index(api, field, schema):
    status, body = api.put("/collections/%s/index?wait=true" % NAME,
                           json={"field_name": field, "field_schema": schema})
    assert status == 200, body


def payload_schema(api):
    status, body = api.get("/collections/%s" % NAME)
    assert status == 200
    return body["result"]["payload_schema"]


def delete_index_and_check(api, field):
    assert api.delete("/collections/%s/index/%s?wait=true" % (NAME, field))[0] == 200
    assert len(payload_schema(api)) == 0


def test_payload_indexing_operations(api):
    """test_payload_indexing.py::test_payload_indexing_operations"""
    set_payload(api, {"test_payload": "keyword"}, [6])
    assert api.get("/collections/%s" % NAME)[0] == 200
    create_index(api, "test_payload", "keyword")
    assert payload_schema(api)["test_payload"]["data_type"] == "keyword"
    delete_index_and_check(api, "test_payload")


def test_index_with_numeric_key(api):
    """test_payload_indexing.py::test_index_with_numeric_key"""
    create_index(api, "123", "keyword")


def test_boolean_index(api):
    """test_payload_indexing.py::test_boolean_index"""
    key = "boolean_payload"
    set_payload(api, {key: False}, [1, 2, 3, 4])
    set_payload(api, {key: [True, False]}, [5])
    set_payload(api, {key: True}, [6, 7])
    create_index(api, key, "bool")
    schema = payload_schema(api)
    assert schema[key]["data_type"] == "bool"
    assert schema[key]["points"] == 7
    delete_index_and_check(api, key)


def test_datetime_indexing(api):
    """test_payload_indexing.py::test_datetime_indexing"""
    key = "datetime_payload"
    set_payload(api, {key: "2015-01-01T00:00:00Z"}, [1])
    set_payload(api, {key: "2015-02-01T08:00:00+02:00"}, [2])
    create_index(api, key, "datetime")
    good = [
        ({"gte": "2015-01-01", "lte": "2015-01-01 00:00"}, [1]),
        ({"gte": "2015-01-01T01:00:00+01:00", "lte": "2015-01-01T01:00:00+01:00"}, [1]),
        ({"gte": "2015-02-01T06:00:00", "lte": "2015-02-01T06:00:00Z"}, [2]),
        ({"gte": "2015-02-01T06:00:00.000000000", "lte": "2015-02-01T06:00:00.000000000"}, [2]),  # date_optional_time
    ]
    for range_, expected in good:
        status, body = scroll(api, NAME, {"with_vector": False, "filter": {"must": [{"key": key, "range": range_}]}})
        assert status == 200, body
        ids = [p["id"] for p in body["result"]["points"]]
        assert all(i in ids for i in expected), (range_, ids)
    wrong = [
        {"gte": "Thu, 01 Jan 2015 01:00:00 +0100", "lte": "Thu, 01 Jan 2015 01:00:00 +0100"},  # RFC 2822
        {"gte": "1422758400000", "lte": "1422758400000"},  # unix milliseconds
        {"gte": "1420070400", "lte": "1420070400"},  # unix seconds
        {"gte": "2015-02-01 06:00:00 AM", "lte": "2015-02-01 06:00:00 AM"},
        {"gte": "20150201", "lte": "20150201"},  # basic_date
        {"gte": "20150201T060000.000Z", "lte": "20150201T060000.000Z"},  # basic_date_time
        {"gte": "2015032T060000Z", "lte": "2015032T060000Z"},  # basic_ordinal_date_time_no_millis
        {"gte": "2015032T060000Z", "lte": "2015-02-01T06:00:00"},  # wrong mixed with supported
    ]
    for range_ in wrong:
        status, body = scroll(api, NAME, {"with_vector": False, "filter": {"must": [{"key": key, "range": range_}]}})
        assert status != 200, (range_, body)


def test_update_payload_on_indexed_field(api):
    """test_payload_indexing.py::test_update_payload_on_indexed_field"""
    create_index(api, "city", "keyword")
    status, body = api.patch("/collections/%s" % NAME, json={"optimizers_config": {"indexing_threshold": 100}})
    assert status == 200, body

    def berlin():
        status, body = scroll(api, NAME, {"with_vector": False,
                                          "filter": {"must": [{"key": "city", "match": {"value": "Berlin"}}]}})
        assert status == 200
        return [p["id"] for p in body["result"]["points"]]
    assert berlin() == [1, 2, 3]
    set_payload(api, {"foo": "bar"}, [2, 4])  # 2: [Berlin, London], 4: [London, Moscow]
    assert berlin() == [1, 2, 3]
