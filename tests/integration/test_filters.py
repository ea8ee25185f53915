"""Filter language (QDRANT-COMPAT.md section 3). Each case lists, by hand, the ids real Qdrant selects.

Semantics pinned here:
  * a condition on an array field matches when any element matches;
  * a condition on a missing field does not match, so `must_not` of it does;
  * is_empty matches a missing field, null and []; is_null matches only an explicit null;
  * keyword match is exact and case-sensitive; match text without a full-text index is a substring match,
    with one every token must be present (the texts below give the same answer both ways);
  * datetime range bounds accept RFC 3339 and the short forms, and compare instants (time zones applied).
Every case runs twice: without payload indexes and with indexes on the fields, and must agree.
"""
import pytest

from helpers import create_collection, upsert

LONDON = {"lon": -0.1276, "lat": 51.5072}
BERLIN = {"lon": 13.405, "lat": 52.52}
PARIS = {"lon": 2.3522, "lat": 48.8566}
MOSCOW = {"lon": 37.6173, "lat": 55.7558}

POINTS = {
    1: {"city": "London", "color": "red", "price": 10, "count": 1, "tags": ["a", "b"],
        "date": "2023-01-15T10:00:00Z", "loc": LONDON, "desc": "good cheap hotel", "flag": True,
        "country": {"name": "UK", "cities": [{"name": "London", "pop": 9}, {"name": "Leeds", "pop": 1}]},
        "diet": [{"food": "leaves", "likes": False}, {"food": "meat", "likes": True}],
        "maybe": None, "comments": ["x", "y", "z"]},
    2: {"city": ["Berlin", "London"], "color": "green", "price": 25.5, "count": 2, "tags": ["b"],
        "date": "2023-03-01T00:00:00Z", "loc": BERLIN, "desc": "expensive but good hotel", "flag": False,
        "country": {"name": "DE", "cities": [{"name": "Berlin", "pop": 4}]},
        "diet": [{"food": "meat", "likes": False}, {"food": "leaves", "likes": True}],
        "maybe": [], "comments": ["x"]},
    3: {"city": "Berlin", "color": "blue", "price": [5, 50], "count": 3, "tags": [],
        "date": "2023-06-01T12:00:00+02:00", "loc": PARIS, "desc": "good cheap food", "flag": True,
        "country": {"name": "DE", "cities": [{"name": "Munich", "pop": 2}]},
        "maybe": "something", "comments": []},
    4: {"city": "Paris", "color": "red", "price": 100, "count": 4,
        "date": "2024-01-31T00:00:00Z", "loc": MOSCOW, "desc": "cheap", "flag": False,
        "country": {"name": "FR"}, "diet": [{"food": "meat", "likes": True}], "maybe": 0},
    5: {"city": "Moscow", "color": "black", "price": 0, "count": 5, "tags": ["c"],
        "date": "2024-02-01 00:00:00", "desc": "terrible", "comments": ["a", "b"]},
    6: {"color": "green", "price": -5.5, "count": 6, "date": "2022-12-31", "flag": True},
    7: {"city": "london", "color": "red", "price": 30, "count": 7, "tags": ["a"],
        "date": "2023-02-08T10:49:00Z", "loc": {"lon": -0.2, "lat": 51.45}, "desc": "a hotel", "flag": False,
        "maybe": None},
    8: {"city": "Berlin", "color": "blue", "price": 25.5, "count": 8,
        "date": "2023-12-31T23:59:59Z", "loc": {"lon": 13.3, "lat": 52.45}, "desc": "good cheap", "flag": True,
        "country": {"name": "DE", "cities": [{"name": "Berlin", "pop": 4}, {"name": "Hamburg", "pop": 2}]}},
}
ALL = set(POINTS)


def fc(key, **cond):
    return dict(key=key, **cond)


def m(key, value):
    return {"key": key, "match": {"value": value}}


def ring(lon0, lat0, lon1, lat1):
    return {"points": [{"lon": lon0, "lat": lat0}, {"lon": lon1, "lat": lat0}, {"lon": lon1, "lat": lat1},
                       {"lon": lon0, "lat": lat1}, {"lon": lon0, "lat": lat0}]}


CASES = [
    ("match keyword, array any-element", {"must": [m("city", "London")]}, {1, 2}),
    ("match is case-sensitive", {"must": [m("city", "london")]}, {7}),
    ("match any", {"must": [fc("city", match={"any": ["Paris", "Moscow"]})]}, {4, 5}),
    ("match except", {"must": [fc("color", match={"except": ["red", "green"]})]}, {3, 5, 8}),
    ("match bool", {"must": [m("flag", False)]}, {2, 4, 7}),
    ("match integer", {"must": [m("count", 3)]}, {3}),
    ("match any integers", {"must": [fc("count", match={"any": [1, 8, 100]})]}, {1, 8}),
    ("match except integers", {"must": [fc("count", match={"except": [1, 2, 3, 4, 5, 6]})]}, {7, 8}),
    ("match value in array", {"must": [m("tags", "b")]}, {1, 2}),
    ("match text all tokens", {"must": [fc("desc", match={"text": "good cheap"})]}, {1, 3, 8}),
    ("match text one word", {"must": [fc("desc", match={"text": "hotel"})]}, {1, 2, 7}),
    ("range gte/lt", {"must": [fc("price", range={"gte": 10, "lt": 30})]}, {1, 2, 8}),
    ("range any array element", {"must": [fc("price", range={"gt": 40})]}, {3, 4}),
    ("range float bound on ints", {"must": [fc("count", range={"gt": 6.5})]}, {7, 8}),
    ("range negative", {"must": [fc("price", range={"lt": 0})]}, {6}),
    ("datetime range gt/lte", {"must": [fc("date", range={"gt": "2023-02-08T10:49:00Z", "lte": "2024-01-31"})]},
     {2, 3, 4, 8}),
    ("datetime range with offset bound",
     {"must": [fc("date", range={"gte": "2023-06-01T11:00:00+01:00", "lt": "2023-06-01 10:00:01"})]}, {3}),
    ("geo bounding box", {"must": [fc("loc", geo_bounding_box={"top_left": {"lon": -0.5, "lat": 51.7},
                                                               "bottom_right": {"lon": 0.3, "lat": 51.3}})]}, {1, 7}),
    ("geo radius 20 km", {"must": [fc("loc", geo_radius={"center": LONDON, "radius": 20000.0})]}, {1, 7}),
    ("geo radius 500 km", {"must": [fc("loc", geo_radius={"center": BERLIN, "radius": 500000.0})]}, {2, 8}),
    ("geo polygon", {"must": [fc("loc", geo_polygon={"exterior": ring(-5, 45, 5, 53), "interiors": []})]},
     {1, 3, 7}),
    ("geo polygon with hole", {"must": [fc("loc", geo_polygon={"exterior": ring(-5, 45, 5, 53),
                                                               "interiors": [ring(2, 48.5, 3, 49.2)]})]}, {1, 7}),
    ("values_count gt", {"must": [fc("comments", values_count={"gt": 1})]}, {1, 5}),
    ("values_count gte/lt", {"must": [fc("comments", values_count={"gte": 1, "lt": 3})]}, {2, 5}),
    ("is_empty: missing, null, []", {"must": [{"is_empty": {"key": "maybe"}}]}, {1, 2, 5, 6, 7, 8}),
    ("is_empty on arrays", {"must": [{"is_empty": {"key": "tags"}}]}, {3, 4, 6, 8}),
    ("must_not is_empty", {"must_not": [{"is_empty": {"key": "tags"}}]}, {1, 2, 5, 7}),
    ("is_null: only explicit null", {"must": [{"is_null": {"key": "maybe"}}]}, {1, 7}),
    ("has_id", {"must": [{"has_id": [2, 4, 99]}]}, {2, 4}),
    ("must_not has_id", {"must_not": [{"has_id": [1, 2, 3]}]}, {4, 5, 6, 7, 8}),
    ("nested: same element", {"must": [{"nested": {"key": "diet", "filter": {
        "must": [m("food", "meat"), m("likes", True)]}}}]}, {1, 4}),
    ("arr[] paths: any elements", {"must": [m("diet[].food", "meat"), m("diet[].likes", True)]}, {1, 2, 4}),
    ("dotted path", {"must": [m("country.name", "DE")]}, {2, 3, 8}),
    ("arr[].field path", {"must": [m("country.cities[].name", "Berlin")]}, {2, 8}),
    ("range on arr[].field", {"must": [fc("country.cities[].pop", range={"gte": 5})]}, {1}),
    ("must_not matches missing field", {"must_not": [m("city", "London")]}, {3, 4, 5, 6, 7, 8}),
    ("must + must_not", {"must": [m("color", "red")], "must_not": [m("flag", True)]}, {4, 7}),
    ("should", {"should": [m("city", "Berlin"), fc("price", range={"gt": 90})]}, {2, 3, 4, 8}),
    ("single condition object", {"should": m("color", "blue")}, {3, 8}),
    ("must + should", {"must": [m("flag", True)], "should": [m("color", "blue"), m("color", "green")]}, {3, 6, 8}),
    ("min_should", {"min_should": {"conditions": [m("color", "red"), m("flag", True),
                                                  fc("price", range={"gte": 25})], "min_count": 2}},
     {1, 3, 4, 7, 8}),
    ("nested Filter as condition", {"must": [{"should": [m("color", "red"), m("color", "black")]},
                                             fc("count", range={"lte": 5})]}, {1, 4, 5}),
    ("must_not of a nested Filter", {"must_not": [{"must": [m("color", "red"), m("flag", False)]}]},
     {1, 2, 3, 5, 6, 8}),
    ("empty filter", {}, ALL),
]

INDEXES = [("city", "keyword"), ("color", "keyword"), ("price", "float"), ("count", "integer"),
           ("tags", "keyword"), ("date", "datetime"), ("loc", "geo"), ("desc", "text"), ("flag", "bool"),
           ("country.name", "keyword"), ("country.cities[].name", "keyword"), ("country.cities[].pop", "integer"),
           ("diet[].food", "keyword"), ("diet[].likes", "bool"), ("comments", "keyword")]


@pytest.fixture(scope="module", params=["plain", "indexed"])
def coll(request, api):
    name = "f_%s" % request.param
    create_collection(api, name, size=2, distance="Dot")
    upsert(api, name, [{"id": pid, "vector": [1.0, pid / 10.0], "payload": payload} for pid, payload in POINTS.items()])
    if request.param == "indexed":
        for field, schema in INDEXES:
            api.ok("PUT", "/collections/%s/index?wait=true" % name, {"field_name": field, "field_schema": schema})
    return name


def select(api, coll, flt):
    res = api.ok("POST", "/collections/%s/points/scroll" % coll, {"filter": flt, "limit": 100, "with_payload": False})
    return set(p["id"] for p in res["points"])


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_filter(api, coll, case):
    _, flt, expected = case
    got = select(api, coll, flt)
    assert got == expected, "filter %s\n  got      %s\n  expected %s" % (flt, sorted(got), sorted(expected))
    # count and search use the same filter semantics
    assert api.ok("POST", "/collections/%s/points/count" % coll, {"filter": flt, "exact": True})["count"] == len(expected)
    res = api.ok("POST", "/collections/%s/points/query" % coll, {"query": [1.0, 0.0], "filter": flt, "limit": 100})
    assert set(p["id"] for p in res["points"]) == expected


def test_filter_rejects_unknown_keys(api, coll):
    # Filter has additionalProperties: false
    status, body = api.post("/collections/%s/points/scroll" % coll, json={"filter": {"musst": []}, "limit": 1})
    assert status == 400, body


def test_has_vector(api):
    api.ok("PUT", "/collections/f_vec", {"vectors": {"a": {"size": 2, "distance": "Dot"},
                                                     "b": {"size": 2, "distance": "Dot"}}})
    upsert(api, "f_vec", [{"id": 1, "vector": {"a": [1, 0], "b": [0, 1]}},
                          {"id": 2, "vector": {"a": [1, 1]}},
                          {"id": 3, "vector": {"b": [1, 1]}}])
    assert select(api, "f_vec", {"must": [{"has_vector": "a"}]}) == {1, 2}
    assert select(api, "f_vec", {"must": [{"has_vector": "b"}]}) == {1, 3}
    assert select(api, "f_vec", {"must_not": [{"has_vector": "b"}]}) == {2}
    api.ok("POST", "/collections/f_vec/points/vectors/delete?wait=true", {"points": [1], "vector": ["b"]})
    assert select(api, "f_vec", {"must": [{"has_vector": "b"}]}) == {3}


def test_uuid_has_id_and_delete_by_filter(api):
    create_collection(api, "f_uuid", size=2)
    u = "5c56c793-69f3-4fbf-87e6-c4bf54c28c26"
    upsert(api, "f_uuid", [{"id": u, "vector": [1, 0], "payload": {"k": 1}}, {"id": 5, "vector": [0, 1], "payload": {"k": 2}}])
    assert select(api, "f_uuid", {"must": [{"has_id": [u.upper()]}]}) == {u}
    api.ok("POST", "/collections/f_uuid/points/delete?wait=true", {"filter": {"must": [m("k", 1)]}})
    assert select(api, "f_uuid", {}) == {5}
