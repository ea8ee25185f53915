"""Durability: what a write acknowledged with wait=true survives (QDRANT-COMPAT.md 2, "Write operations":
`completed` means applied, `acknowledged` means saved to the WAL).

A clean SIGTERM restart must bring back everything (points, payloads, vectors, collection config, payload
indexes, aliases); a kill -9 must not lose any write that was answered with 200."""
from harness import Api
from helpers import assert_vec, ids_of, rand_vectors, scroll_all, upsert


def snapshot_state(api):
    state = {}
    for c in sorted(x["name"] for x in api.ok("GET", "/collections")["collections"]):
        info = api.ok("GET", "/collections/%s" % c)
        pts = {str(p["id"]): (p.get("payload"), p.get("vector")) for p in scroll_all(api, c)}
        state[c] = {
            "params": info["config"]["params"]["vectors"],
            "hnsw_m": info["config"]["hnsw_config"]["m"],
            "indexing_threshold": info["config"]["optimizer_config"]["indexing_threshold"],
            "payload_schema": {k: v["data_type"] for k, v in info["payload_schema"].items()},
            "points_count": info["points_count"],
            "points": pts,
        }
    aliases = sorted((a["alias_name"], a["collection_name"]) for a in api.ok("GET", "/aliases")["aliases"])
    return state, aliases


def assert_same_state(before, after):
    (sb, ab), (sa, aa) = before, after
    assert ab == aa, "aliases changed across restart: %s -> %s" % (ab, aa)
    assert sorted(sb) == sorted(sa), "collections changed: %s -> %s" % (sorted(sb), sorted(sa))
    for c in sb:
        b, a = sb[c], sa[c]
        for key in ("params", "hnsw_m", "indexing_threshold", "payload_schema", "points_count"):
            assert b[key] == a[key], "%s.%s: %r -> %r" % (c, key, b[key], a[key])
        assert sorted(b["points"]) == sorted(a["points"]), "%s: point ids changed" % c
        for pid, (payload, vector) in b["points"].items():
            pa, va = a["points"][pid]
            assert pa == payload, "%s/%s payload %r -> %r" % (c, pid, payload, pa)
            if isinstance(vector, dict):
                assert sorted(vector) == sorted(va)
                for name in vector:
                    assert_vec(va[name], vector[name])
            else:
                assert_vec(va, vector)


def populate(api):
    vecs = rand_vectors(120, 6, seed=5)
    api.ok("PUT", "/collections/d_main", {"vectors": {"size": 6, "distance": "Dot"}, "hnsw_config": {"m": 24}})
    for start in range(0, 120, 40):
        upsert(api, "d_main", [{"id": i + 1, "vector": vecs[i], "payload": {"i": i, "s": "v%d" % i, "arr": [i, {"x": i}]}}
                               for i in range(start, start + 40)])
    upsert(api, "d_main", [{"id": "0f8fad5b-d9cb-469f-a165-70867728950e", "vector": vecs[0], "payload": {"u": True}}])
    api.ok("POST", "/collections/d_main/points/delete?wait=true", {"points": [5, 6, 7]})
    api.ok("POST", "/collections/d_main/points/payload?wait=true", {"payload": {"extra": 1}, "points": [10, 11]})
    api.ok("PUT", "/collections/d_main/points/payload?wait=true", {"payload": {"over": "written"}, "points": [12]})
    api.ok("POST", "/collections/d_main/points/payload/delete?wait=true", {"keys": ["s"], "points": [13]})
    api.ok("POST", "/collections/d_main/points/payload/clear?wait=true", {"points": [14]})
    api.ok("PUT", "/collections/d_main/points/vectors?wait=true", {"points": [{"id": 15, "vector": [9, 9, 9, 9, 9, 9]}]})
    api.ok("PUT", "/collections/d_main/index?wait=true", {"field_name": "i", "field_schema": "integer"})
    api.ok("PATCH", "/collections/d_main", {"optimizers_config": {"indexing_threshold": 777}})
    api.ok("PUT", "/collections/d_named", {"vectors": {"a": {"size": 2, "distance": "Euclid"},
                                                       "b": {"size": 3, "distance": "Cosine"}}})
    upsert(api, "d_named", [{"id": 1, "vector": {"a": [1, 2], "b": [0.6, 0.8, 0]}},
                            {"id": 2, "vector": {"a": [3, 4]}, "payload": {"k": "v"}}])
    api.ok("PUT", "/collections/d_gone", {"vectors": {"size": 2, "distance": "Dot"}})
    api.ok("DELETE", "/collections/d_gone")
    api.ok("POST", "/collections/aliases", {"actions": [{"create_alias": {"collection_name": "d_main", "alias_name": "d_alias"}}]})


def test_sigterm_restart_keeps_everything(make_server):
    srv = make_server()
    api = Api(srv)
    populate(api)
    before = snapshot_state(api)
    assert "d_gone" not in before[0]
    assert before[0]["d_main"]["points_count"] == 118
    srv.restart()  # SIGTERM (exit 0 within 10 s), then start on the same data dir
    after = snapshot_state(api)
    assert_same_state(before, after)
    # still writable and searchable after the restart, and the alias still resolves
    upsert(api, "d_alias", [{"id": 500, "vector": [1, 0, 0, 0, 0, 0], "payload": {"after": True}}])
    res = api.ok("POST", "/collections/d_main/points/query", {"query": [1, 0, 0, 0, 0, 0], "limit": 200,
                                                              "filter": {"must": [{"key": "after", "match": {"value": True}}]}})
    assert [p["id"] for p in res["points"]] == [500]
    # a second restart is just as lossless
    before2 = snapshot_state(api)
    srv.restart()
    assert_same_state(before2, snapshot_state(api))


def test_kill9_keeps_acknowledged_writes(make_server):
    srv = make_server()
    api = Api(srv)
    populate(api)
    before = snapshot_state(api)
    srv.restart_after_kill9()
    assert_same_state(before, snapshot_state(api))
    # writes after recovery, then another crash
    upsert(api, "d_main", [{"id": 1000 + i, "vector": [i, 1, 1, 1, 1, 1], "payload": {"late": i}} for i in range(50)])
    api.ok("POST", "/collections/d_main/points/delete?wait=true", {"points": [1, 2]})
    before = snapshot_state(api)
    srv.restart_after_kill9()
    assert_same_state(before, snapshot_state(api))


def test_unwaited_writes_are_durable_after_sigterm(make_server):
    # wait=false answers "acknowledged" once the operation is in the WAL: a clean shutdown must keep it.
    srv = make_server()
    api = Api(srv)
    api.ok("PUT", "/collections/d_async", {"vectors": {"size": 2, "distance": "Dot"}})
    for i in range(20):
        res = api.ok("PUT", "/collections/d_async/points", {"points": [{"id": i, "vector": [i, 1], "payload": {"i": i}}]})
        assert res["status"] == "acknowledged"
    srv.restart()
    pts = scroll_all(api, "d_async")
    assert ids_of(pts) == list(range(20))
    assert all(p["payload"] == {"i": p["id"]} for p in pts)
