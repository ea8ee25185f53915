"""Payload indexes: PUT /collections/{c}/index, payload_schema in collection info, DELETE (QDRANT-COMPAT.md 2.3)."""
import pytest

from helpers import create_collection, upsert

# field -> (field_schema, value for point i or None when the point lacks the field)
FIELDS = {
    "kw": ("keyword", lambda i: "k%d" % (i % 3)),
    "num": ("integer", lambda i: i * 10),
    "price": ("float", lambda i: i + 0.5),
    "flag": ("bool", lambda i: i % 2 == 0),
    "loc": ("geo", lambda i: {"lon": 13.4 + i / 100.0, "lat": 52.5}),
    "desc": ("text", lambda i: "good cheap hotel number %d" % i),
    "ts": ("datetime", lambda i: "2024-01-%02dT10:00:00Z" % (i + 1)),
    "uid": ("uuid", lambda i: "550e8400-e29b-41d4-a716-4466554400%02d" % i),
}
N_POINTS = 12
WITH_FIELD = 9  # points 0..8 carry every field, 9..11 have none of them


def make_dataset(api, name):
    create_collection(api, name, size=4, distance="Dot")
    points = []
    for i in range(N_POINTS):
        payload = {f: gen(i) for f, (_, gen) in FIELDS.items()} if i < WITH_FIELD else {"other": i}
        points.append({"id": i + 1, "vector": [1.0, i, 0.5, -1.0], "payload": payload})
    upsert(api, name, points)
    return name


@pytest.fixture(scope="module")
def coll(api):
    return make_dataset(api, "pidx")


@pytest.mark.parametrize("field", sorted(FIELDS))
def test_create_index_each_type(api, coll, field):
    schema = FIELDS[field][0]
    res = api.ok("PUT", "/collections/%s/index?wait=true" % coll, {"field_name": field, "field_schema": schema})
    assert res["status"] == "completed", res
    assert isinstance(res["operation_id"], int)
    info = api.ok("GET", "/collections/%s" % coll)
    entry = info["payload_schema"].get(field)
    assert entry is not None, info["payload_schema"]
    assert entry["data_type"] == schema
    # `points` is the number of points that have a value indexed under this field
    assert entry["points"] == WITH_FIELD, entry


def test_index_counts_follow_updates(api):
    create_collection(api, "pidx_upd")
    api.ok("PUT", "/collections/pidx_upd/index?wait=true", {"field_name": "city", "field_schema": "keyword"})
    entry = api.ok("GET", "/collections/pidx_upd")["payload_schema"]["city"]
    assert entry["data_type"] == "keyword" and entry["points"] == 0, entry
    upsert(api, "pidx_upd", [{"id": i, "vector": [1, 2, 3, 4], "payload": {"city": "c%d" % i}} for i in range(5)])
    assert api.ok("GET", "/collections/pidx_upd")["payload_schema"]["city"]["points"] == 5
    api.ok("POST", "/collections/pidx_upd/points/delete?wait=true", {"points": [0, 1]})
    assert api.ok("GET", "/collections/pidx_upd")["payload_schema"]["city"]["points"] == 3


def test_index_params_object(api):
    create_collection(api, "pidx_params")
    body = {"field_name": "body", "field_schema": {"type": "text", "tokenizer": "word", "min_token_len": 2,
                                                    "max_token_len": 20, "lowercase": True}}
    res = api.ok("PUT", "/collections/pidx_params/index?wait=true", body)
    assert res["status"] == "completed"
    entry = api.ok("GET", "/collections/pidx_params")["payload_schema"]["body"]
    assert entry["data_type"] == "text"
    assert entry["params"]["type"] == "text"
    assert entry["params"]["tokenizer"] == "word"
    assert entry["params"]["min_token_len"] == 2
    body = {"field_name": "tenant", "field_schema": {"type": "keyword", "is_tenant": True}}
    api.ok("PUT", "/collections/pidx_params/index?wait=true", body)
    entry = api.ok("GET", "/collections/pidx_params")["payload_schema"]["tenant"]
    assert entry["data_type"] == "keyword" and entry["params"]["is_tenant"] is True


def test_index_without_wait_is_acknowledged(api):
    create_collection(api, "pidx_ack")
    res = api.ok("PUT", "/collections/pidx_ack/index", {"field_name": "a", "field_schema": "integer"})
    assert res["status"] == "acknowledged", res


def test_delete_index(api, coll):
    api.ok("PUT", "/collections/%s/index?wait=true" % coll, {"field_name": "to_drop", "field_schema": "keyword"})
    assert "to_drop" in api.ok("GET", "/collections/%s" % coll)["payload_schema"]
    res = api.ok("DELETE", "/collections/%s/index/to_drop?wait=true" % coll)
    assert res["status"] == "completed"
    assert "to_drop" not in api.ok("GET", "/collections/%s" % coll)["payload_schema"]
    # data is untouched: the index is only an accelerator
    assert api.ok("POST", "/collections/%s/points/count" % coll, {"exact": True})["count"] == N_POINTS


def test_nested_path_index(api, coll):
    api.ok("POST", "/collections/%s/points/payload?wait=true" % coll,
           {"payload": {"meta": {"country": {"code": "DE"}}}, "points": [1, 2]})
    api.ok("PUT", "/collections/%s/index?wait=true" % coll, {"field_name": "meta.country.code", "field_schema": "keyword"})
    entry = api.ok("GET", "/collections/%s" % coll)["payload_schema"]["meta.country.code"]
    assert entry["data_type"] == "keyword" and entry["points"] == 2


def test_index_on_missing_collection_404(api):
    status, body = api.put("/collections/pidx_missing/index", json={"field_name": "a", "field_schema": "keyword"})
    assert status == 404, body


def test_unknown_schema_type_rejected(api, coll):
    status, body = api.put("/collections/%s/index" % coll, json={"field_name": "a", "field_schema": "blob"})
    assert status == 400, body
    assert body["status"]["error"].startswith("Format error in JSON body"), body


@pytest.mark.parametrize("params", [
    {"type": "text", "tokenizer": "ngram"},
    {"type": "text", "min_token_len": -1},
    {"type": "text", "stopwords": "klingon"},
    {"type": "text", "stemmer": {"type": "snowball", "language": "latin"}},
    {"type": "keyword", "is_tenant": "yes"},
])
def test_bad_index_params_rejected(api, coll, params):
    status, body = api.put("/collections/%s/index" % coll, json={"field_name": "bad_p", "field_schema": params})
    assert status == 400, body
    assert body["status"]["error"].startswith("Format error in JSON body"), body
    assert "bad_p" not in api.ok("GET", "/collections/%s" % coll)["payload_schema"]


def test_filtering_uses_same_semantics_with_index(api):
    """The same filters before and after indexing must select the same points."""
    coll = make_dataset(api, "pidx_sem")
    filters = [
        {"must": [{"key": "kw", "match": {"value": "k1"}}]},
        {"must": [{"key": "num", "range": {"gte": 20, "lt": 60}}]},
        {"must": [{"key": "price", "range": {"gt": 3.0}}]},
        {"must": [{"key": "flag", "match": {"value": True}}]},
        {"must": [{"key": "ts", "range": {"gte": "2024-01-03T00:00:00Z", "lte": "2024-01-05T10:00:00Z"}}]},
        {"must": [{"key": "uid", "match": {"value": "550e8400-e29b-41d4-a716-446655440003"}}]},
        {"must": [{"key": "desc", "match": {"text": "cheap hotel"}}]},
        {"must": [{"key": "loc", "geo_radius": {"center": {"lon": 13.4, "lat": 52.5}, "radius": 2000.0}}]},
    ]
    expected = [
        [2, 5, 8], [3, 4, 5, 6], [4, 5, 6, 7, 8, 9], [1, 3, 5, 7, 9], [3, 4, 5], [4],
        list(range(1, WITH_FIELD + 1)), [1, 2, 3],
    ]

    def run(f):
        res = api.ok("POST", "/collections/%s/points/scroll" % coll, {"filter": f, "limit": 100, "with_payload": False})
        return sorted(p["id"] for p in res["points"])

    before = [run(f) for f in filters]
    for field, (schema, _) in FIELDS.items():
        api.ok("PUT", "/collections/%s/index?wait=true" % coll, {"field_name": field, "field_schema": schema})
    after = [run(f) for f in filters]
    for f, b, a, e in zip(filters, before, after, expected):
        assert b == e, "without index %s -> %s, expected %s" % (f, b, e)
        assert a == e, "with index %s -> %s, expected %s" % (f, a, e)


def test_text_index_tokens_decide_text_matches(api):
    """With a full-text index, match text/text_any/phrase compare tokens; without one, substrings."""
    create_collection(api, "fts_c", size=4)
    titles = ["Little Lost Robot", "The Robots of Dawn", "Robot Dreams", "Star Light", "The Last Question"]
    upsert(api, "fts_c", [{"id": i + 1, "vector": [1, 0, 0, 0], "payload": {"title": t}}
                          for i, t in enumerate(titles)])

    def ids(match):
        body = api.ok("POST", "/collections/fts_c/points/scroll",
                      {"limit": 100, "filter": {"must": [{"key": "title", "match": match}]}})
        return sorted(p["id"] for p in body["points"])

    assert ids({"text": "Robot"}) == [1, 2, 3]  # substring, case-sensitive, before the index
    assert ids({"text": "robot"}) == []
    api.ok("PUT", "/collections/fts_c/index?wait=true",
           {"field_name": "title", "field_schema": {"type": "text", "tokenizer": "word",
                                                    "lowercase": True, "stopwords": "english"}})
    assert ids({"text": "robot"}) == [1, 3]  # whole tokens, lowercased: "Robots" is another token
    assert ids({"text": "the robot"}) == [1, 3]  # stopwords ignored
    assert ids({"text_any": "dawn star"}) == [2, 4]
    assert ids({"phrase": "lost robot"}) == [1]
    assert ids({"phrase": "robot lost"}) == []
    api.ok("PUT", "/collections/fts_c/index?wait=true",
           {"field_name": "title", "field_schema": {"type": "text", "tokenizer": "prefix"}})
    assert ids({"text": "ROBO"}) == [1, 2, 3]
    api.ok("DELETE", "/collections/fts_c/index/title?wait=true")
    assert ids({"text": "ROBO"}) == []  # substring again
