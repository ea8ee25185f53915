"""Points CRUD, payload and vector operations, scroll, count (QDRANT-COMPAT.md 2.4 and "Point ids" /
"Write operations" in section 2)."""
import random

import pytest

from helpers import assert_vec, create_collection, ids_of, scroll_all, upsert, wait_until

UUID_UPPER = "550E8400-E29B-41D4-A716-446655440000"
UUID_SIMPLE = "936DA01F9ABD4d9d80C702AF85C822A8"


def P(c):
    return "/collections/%s/points" % c


def get_point(api, c, pid):
    return api.ok("GET", "%s/%s" % (P(c), pid))


def test_upsert_list_form_and_get(api):
    create_collection(api, "p_list")
    res = api.ok("PUT", P("p_list") + "?wait=true", {"points": [
        {"id": 1, "vector": [0.1, 0.2, 0.3, 0.4], "payload": {"city": "Berlin", "n": 1}},
        {"id": 2, "vector": [0.5, 0.6, 0.7, 0.8], "payload": {"city": ["Berlin", "London"]}},
        {"id": 3, "vector": [0.9, 1.0, 1.1, 1.2]},
    ]})
    assert res["status"] == "completed" and isinstance(res["operation_id"], int), res
    rec = get_point(api, "p_list", 1)
    assert rec["id"] == 1 and rec["payload"] == {"city": "Berlin", "n": 1}
    # GET of a single point returns its vector too
    assert_vec(rec["vector"], [0.1, 0.2, 0.3, 0.4])
    assert get_point(api, "p_list", 2)["payload"] == {"city": ["Berlin", "London"]}
    assert (get_point(api, "p_list", 3).get("payload") or {}) == {}
    # upsert replaces the whole point: the old payload keys are gone
    upsert(api, "p_list", [{"id": 1, "vector": [1, 1, 1, 1], "payload": {"other": True}}])
    rec = get_point(api, "p_list", 1)
    assert rec["payload"] == {"other": True}
    assert_vec(rec["vector"], [1, 1, 1, 1])


def test_upsert_batch_form(api):
    create_collection(api, "p_batch")
    res = api.ok("PUT", P("p_batch") + "?wait=true", {"batch": {
        "ids": [10, 11, 12],
        "vectors": [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]],
        "payloads": [{"a": 1}, {"a": 2}, {"a": 3}],
    }})
    assert res["status"] == "completed"
    recs = api.ok("POST", P("p_batch"), {"ids": [10, 11, 12], "with_payload": True, "with_vector": True})
    by_id = {r["id"]: r for r in recs}
    assert set(by_id) == {10, 11, 12}
    assert by_id[11]["payload"] == {"a": 2}
    assert_vec(by_id[12]["vector"], [0, 0, 1, 0])


def test_named_vectors(api):
    api.ok("PUT", "/collections/p_named", {"vectors": {"image": {"size": 4, "distance": "Dot"},
                                                       "text": {"size": 3, "distance": "Euclid"}}})
    upsert(api, "p_named", [
        {"id": 1, "vector": {"image": [1, 2, 3, 4], "text": [0.5, 0.5, 0.5]}, "payload": {"k": 1}},
        {"id": 2, "vector": {"image": [4, 3, 2, 1]}},  # a point may lack some named vectors
    ])
    rec = get_point(api, "p_named", 1)
    assert set(rec["vector"]) == {"image", "text"}
    assert_vec(rec["vector"]["image"], [1, 2, 3, 4])
    assert_vec(rec["vector"]["text"], [0.5, 0.5, 0.5])
    rec = get_point(api, "p_named", 2)
    assert set(rec["vector"]) == {"image"}
    # with_vector can select names
    recs = api.ok("POST", P("p_named"), {"ids": [1], "with_vector": ["text"]})
    assert set(recs[0]["vector"]) == {"text"}
    # an unknown vector name is a client error
    status, body = api.put(P("p_named") + "?wait=true", json={"points": [{"id": 3, "vector": {"audio": [1, 2]}}]})
    assert status == 400, body


def test_uuid_ids_normalized(api):
    create_collection(api, "p_uuid")
    upsert(api, "p_uuid", [{"id": UUID_UPPER, "vector": [1, 2, 3, 4], "payload": {"u": 1}},
                           {"id": UUID_SIMPLE, "vector": [4, 3, 2, 1], "payload": {"u": 2}},
                           {"id": 7, "vector": [1, 1, 1, 1]}])
    # output is lowercase hyphenated whatever the input form
    want = {"550e8400-e29b-41d4-a716-446655440000", "936da01f-9abd-4d9d-80c7-02af85c822a8", 7}
    assert set(p["id"] for p in scroll_all(api, "p_uuid")) == want
    rec = get_point(api, "p_uuid", "550e8400-e29b-41d4-a716-446655440000")
    assert rec["id"] == "550e8400-e29b-41d4-a716-446655440000" and rec["payload"] == {"u": 1}
    # the path id is parsed as u64 first, then as a UUID in any accepted form
    assert get_point(api, "p_uuid", UUID_UPPER)["payload"] == {"u": 1}
    # the same UUID written in another form addresses the same point
    upsert(api, "p_uuid", [{"id": "936da01f-9abd-4d9d-80c7-02af85c822a8", "vector": [0, 0, 0, 1], "payload": {"u": 3}}])
    assert api.ok("POST", P("p_uuid") + "/count", {"exact": True})["count"] == 3
    assert get_point(api, "p_uuid", UUID_SIMPLE)["payload"] == {"u": 3}


@pytest.fixture(scope="module")
def badid_coll(api):
    return create_collection(api, "p_badid")


@pytest.mark.parametrize("bad_id", ["42", -1, 1.5, "not-a-uuid"])
def test_invalid_point_ids_rejected(api, badid_coll, bad_id):
    # ids are u64 or UUID strings; a numeric string like "42" is not accepted
    status, body = api.put(P(badid_coll) + "?wait=true", json={"points": [{"id": bad_id, "vector": [1, 2, 3, 4]}]})
    assert status == 400, body
    assert body["status"]["error"].startswith("Format error in JSON body"), body
    status, body = api.post(P(badid_coll), json={"ids": [bad_id]})
    assert status == 400, body
    assert api.ok("POST", P(badid_coll) + "/count", {"exact": True})["count"] == 0


def test_get_missing_point_404(api):
    create_collection(api, "p_missing")
    upsert(api, "p_missing", [{"id": 1, "vector": [1, 2, 3, 4]}])
    status, body = api.get(P("p_missing") + "/999")
    assert status == 404, body
    # Qdrant's get_point handler (src/actix/api/retrieve_api.rs) words it this way; "No point with id X found"
    # is the message of write operations on a missing point (see test_payload_op_on_missing_point_404).
    assert body["status"]["error"] == "Not found: Point with id 999 does not exists!", body
    status, body = api.get("/collections/p_no_such_coll/points/1")
    assert status == 404
    assert body["status"]["error"] == "Not found: Collection `p_no_such_coll` doesn't exist!"


def test_get_many(api):
    create_collection(api, "p_many")
    upsert(api, "p_many", [{"id": i, "vector": [i, 0, 0, 1], "payload": {"i": i}} for i in range(1, 6)])
    recs = api.ok("POST", P("p_many"), {"ids": [5, 2, 999]})
    assert sorted(r["id"] for r in recs) == [2, 5]  # missing ids are skipped, not an error
    for r in recs:
        assert r["payload"] == {"i": r["id"]}  # with_payload defaults to true
        assert r.get("vector") is None  # with_vector defaults to false
    recs = api.ok("POST", P("p_many"), {"ids": [3], "with_payload": False, "with_vector": True})
    assert recs[0].get("payload") is None
    assert_vec(recs[0]["vector"], [3, 0, 0, 1])


def test_delete_by_ids_and_filter(api):
    create_collection(api, "p_del")
    upsert(api, "p_del", [{"id": i, "vector": [1, 0, 0, i], "payload": {"group": i % 3}} for i in range(1, 13)])
    res = api.ok("POST", P("p_del") + "/delete?wait=true", {"points": [1, 2, 100]})
    assert res["status"] == "completed"
    assert api.ok("POST", P("p_del") + "/count", {"exact": True})["count"] == 10
    status, _ = api.get(P("p_del") + "/1")
    assert status == 404
    res = api.ok("POST", P("p_del") + "/delete?wait=true",
                 {"filter": {"must": [{"key": "group", "match": {"value": 0}}]}})
    assert res["status"] == "completed"
    left = ids_of(scroll_all(api, "p_del"))
    assert left == [4, 5, 7, 8, 10, 11]


def test_payload_operations(api):
    create_collection(api, "p_pay")
    upsert(api, "p_pay", [{"id": i, "vector": [1, 2, 3, 4],
                           "payload": {"a": 1, "b": "x", "meta": {"m1": 1, "m2": 2}}} for i in (1, 2, 3)])
    # set_payload merges top-level keys
    res = api.ok("POST", P("p_pay") + "/payload?wait=true", {"payload": {"b": "y", "c": [1, 2]}, "points": [1]})
    assert res["status"] == "completed"
    assert get_point(api, "p_pay", 1)["payload"] == {"a": 1, "b": "y", "c": [1, 2], "meta": {"m1": 1, "m2": 2}}
    # set_payload with `key` merges into the object at that path
    api.ok("POST", P("p_pay") + "/payload?wait=true", {"payload": {"m2": 20, "m3": 3}, "points": [2], "key": "meta"})
    assert get_point(api, "p_pay", 2)["payload"] == {"a": 1, "b": "x", "meta": {"m1": 1, "m2": 20, "m3": 3}}
    # set_payload by filter
    api.ok("POST", P("p_pay") + "/payload?wait=true",
           {"payload": {"tagged": True}, "filter": {"must": [{"has_id": [2, 3]}]}})
    assert get_point(api, "p_pay", 3)["payload"]["tagged"] is True
    assert "tagged" not in get_point(api, "p_pay", 1)["payload"]
    # overwrite_payload replaces the whole payload
    api.ok("PUT", P("p_pay") + "/payload?wait=true", {"payload": {"only": 1}, "points": [3]})
    assert get_point(api, "p_pay", 3)["payload"] == {"only": 1}
    # delete_payload removes keys, including nested paths
    api.ok("POST", P("p_pay") + "/payload/delete?wait=true", {"keys": ["b", "meta.m1"], "points": [2]})
    assert get_point(api, "p_pay", 2)["payload"] == {"a": 1, "meta": {"m2": 20, "m3": 3}, "tagged": True}
    # clear_payload empties it
    api.ok("POST", P("p_pay") + "/payload/clear?wait=true", {"points": [1, 2]})
    for pid in (1, 2):
        assert (get_point(api, "p_pay", pid).get("payload") or {}) == {}
    assert get_point(api, "p_pay", 3)["payload"] == {"only": 1}


def test_payload_op_on_missing_point_404(api):
    create_collection(api, "p_pay404")
    status, body = api.post(P("p_pay404") + "/payload?wait=true", json={"payload": {"a": 1}, "points": [77]})
    assert status == 404, body
    # set_payload checks every listed id (check_unprocessed_points): "Not found: No point with id 77 found"
    assert "No point with id 77" in body["status"]["error"], body
    status, _ = api.get(P("p_pay404") + "/77")
    assert status == 404  # and no point was created


def test_update_and_delete_vectors(api):
    api.ok("PUT", "/collections/p_vec", {"vectors": {"image": {"size": 4, "distance": "Dot"},
                                                     "text": {"size": 2, "distance": "Dot"}}})
    upsert(api, "p_vec", [{"id": 1, "vector": {"image": [1, 1, 1, 1], "text": [1, 0]}, "payload": {"keep": 1}}])
    res = api.ok("PUT", P("p_vec") + "/vectors?wait=true", {"points": [{"id": 1, "vector": {"text": [0, 1]}}]})
    assert res["status"] == "completed"
    rec = get_point(api, "p_vec", 1)
    assert_vec(rec["vector"]["text"], [0, 1])
    assert_vec(rec["vector"]["image"], [1, 1, 1, 1])  # untouched
    assert rec["payload"] == {"keep": 1}
    res = api.ok("POST", P("p_vec") + "/vectors/delete?wait=true", {"points": [1], "vector": ["image"]})
    assert res["status"] == "completed"
    rec = get_point(api, "p_vec", 1)
    assert set(rec["vector"]) == {"text"} and rec["payload"] == {"keep": 1}
    # wrong dimension on update
    status, body = api.put(P("p_vec") + "/vectors?wait=true", json={"points": [{"id": 1, "vector": {"text": [1, 2, 3]}}]})
    assert status == 400, body


def test_batch_update(api):
    create_collection(api, "p_ops")
    ops = {"operations": [
        {"upsert": {"points": [{"id": i, "vector": [i, 1, 1, 1], "payload": {"i": i}} for i in range(1, 6)]}},
        {"delete": {"points": [5]}},
        {"set_payload": {"payload": {"s": True}, "points": [1, 2]}},
        {"overwrite_payload": {"payload": {"o": 1}, "points": [3]}},
        {"delete_payload": {"keys": ["i"], "points": [2]}},
        {"clear_payload": {"points": [4]}},
        {"update_vectors": {"points": [{"id": 1, "vector": [9, 9, 9, 9]}]}},
    ]}
    res = api.ok("POST", P("p_ops") + "/batch?wait=true", ops)
    assert isinstance(res, list) and len(res) == len(ops["operations"])
    assert all(r["status"] == "completed" for r in res), res
    pts = {p["id"]: p for p in scroll_all(api, "p_ops")}
    assert sorted(pts) == [1, 2, 3, 4]
    assert pts[1]["payload"] == {"i": 1, "s": True}
    assert pts[2]["payload"] == {"s": True}
    assert pts[3]["payload"] == {"o": 1}
    assert (pts[4].get("payload") or {}) == {}
    assert_vec(pts[1]["vector"], [9, 9, 9, 9])


def test_scroll_paging_in_id_order(api):
    create_collection(api, "p_scroll")
    ids = list(range(1, 151))
    random.Random(7).shuffle(ids)
    uuids = ["ffffffff-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002",
             "7fffffff-0000-4000-8000-000000000003"]
    for chunk in range(0, 150, 50):
        upsert(api, "p_scroll", [{"id": i, "vector": [i, 0, 0, 0], "payload": {"i": i}} for i in ids[chunk:chunk + 50]])
    upsert(api, "p_scroll", [{"id": u, "vector": [0, 1, 0, 0]} for u in uuids])
    seen, offset, pages = [], None, 0
    while True:
        body = {"limit": 40}
        if offset is not None:
            body["offset"] = offset
        res = api.ok("POST", P("p_scroll") + "/scroll", body)
        page = [p["id"] for p in res["points"]]
        pages += 1
        seen.extend(page)
        offset = res.get("next_page_offset")
        if offset is None:
            break
        assert len(page) == 40
        assert pages < 20
    # numeric ids come first in ascending order, then UUIDs in ascending order
    assert seen == list(range(1, 151)) + sorted(uuids)
    assert pages == 4
    # next_page_offset is the id of the first point of the next page
    res = api.ok("POST", P("p_scroll") + "/scroll", {"limit": 10})
    assert res["next_page_offset"] == 11
    res = api.ok("POST", P("p_scroll") + "/scroll", {"limit": 5, "offset": 148})
    assert [p["id"] for p in res["points"]] == [148, 149, 150] + sorted(uuids)[:2]
    # scroll defaults: payload included, vector not
    assert res["points"][0]["payload"] == {"i": 148} and res["points"][0].get("vector") is None


def test_scroll_with_filter(api):
    create_collection(api, "p_scrollf")
    upsert(api, "p_scrollf", [{"id": i, "vector": [1, 1, 1, 1], "payload": {"even": i % 2 == 0}} for i in range(1, 41)])
    got = [p["id"] for p in scroll_all(api, "p_scrollf", page=7,
                                       filter={"must": [{"key": "even", "match": {"value": True}}]})]
    assert got == list(range(2, 41, 2))


def test_scroll_order_by(api):
    create_collection(api, "p_order")
    ranks = list(range(100, 130))
    random.Random(3).shuffle(ranks)
    upsert(api, "p_order", [{"id": i + 1, "vector": [1, 0, 0, 0], "payload": {"rank": r}} for i, r in enumerate(ranks)])
    api.ok("PUT", "/collections/p_order/index?wait=true", {"field_name": "rank", "field_schema": "integer"})
    res = api.ok("POST", P("p_order") + "/scroll", {"limit": 10, "order_by": {"key": "rank", "direction": "desc"}})
    got = [p["payload"]["rank"] for p in res["points"]]
    assert got == list(range(129, 119, -1))
    assert [p["order_value"] for p in res["points"]] == got
    res = api.ok("POST", P("p_order") + "/scroll", {"limit": 30, "order_by": "rank"})  # shorthand: asc
    assert [p["payload"]["rank"] for p in res["points"]] == list(range(100, 130))
    res = api.ok("POST", P("p_order") + "/scroll", {"limit": 5, "order_by": {"key": "rank", "start_from": 125}})
    assert [p["payload"]["rank"] for p in res["points"]] == [125, 126, 127, 128, 129]
    # order_by needs a range index on the key
    status, body = api.post(P("p_order") + "/scroll", json={"limit": 5, "order_by": "unindexed"})
    assert status == 400, body


def test_count(api):
    create_collection(api, "p_count")
    upsert(api, "p_count", [{"id": i, "vector": [1, 1, 1, 1], "payload": {"g": i % 4}} for i in range(1, 101)])
    assert api.ok("POST", P("p_count") + "/count", {"exact": True}) == {"count": 100}
    assert api.ok("POST", P("p_count") + "/count", {}) == {"count": 100}
    res = api.ok("POST", P("p_count") + "/count", {"exact": True, "filter": {"must": [{"key": "g", "match": {"value": 1}}]}})
    assert res == {"count": 25}
    res = api.ok("POST", P("p_count") + "/count",
                 {"exact": True, "filter": {"must_not": [{"key": "g", "match": {"any": [0, 1]}}]}})
    assert res == {"count": 50}


def test_wait_semantics_and_operation_ids(api):
    create_collection(api, "p_wait")
    res = api.ok("PUT", P("p_wait") + "?wait=true", {"points": [{"id": 1, "vector": [1, 2, 3, 4]}]})
    assert res["status"] == "completed"
    first = res["operation_id"]
    # wait defaults to false: the operation is acknowledged (in the WAL), then applied
    res = api.ok("PUT", P("p_wait"), {"points": [{"id": 2, "vector": [1, 2, 3, 4]}]})
    assert res["status"] == "acknowledged", res
    second = res["operation_id"]
    res = api.ok("PUT", P("p_wait") + "?wait=false", {"points": [{"id": 3, "vector": [1, 2, 3, 4]}]})
    assert res["status"] == "acknowledged", res
    third = res["operation_id"]
    res = api.ok("POST", P("p_wait") + "/payload?wait=true", {"payload": {"x": 1}, "points": [1]})
    fourth = res["operation_id"]
    assert first < second < third < fourth, (first, second, third, fourth)
    assert wait_until(lambda: api.ok("POST", P("p_wait") + "/count", {"exact": True})["count"] == 3)


def test_write_to_missing_collection_404(api):
    status, body = api.put("/collections/p_nowhere/points?wait=true", json={"points": [{"id": 1, "vector": [1, 2]}]})
    assert status == 404, body
    assert body["status"]["error"] == "Not found: Collection `p_nowhere` doesn't exist!"
