"""Collections and aliases (QDRANT-COMPAT.md 2.2 and the CollectionInfo table in section 2)."""
import pytest

from helpers import create_collection, upsert


@pytest.mark.parametrize("distance", ["Cosine", "Euclid", "Dot", "Manhattan"])
def test_create_single_vector_each_distance(api, distance):
    name = "dist_%s" % distance.lower()
    status, body = api.put("/collections/%s" % name, json={"vectors": {"size": 8, "distance": distance}})
    assert status == 200 and body["result"] is True, body
    info = api.ok("GET", "/collections/%s" % name)
    assert info["config"]["params"]["vectors"]["size"] == 8
    assert info["config"]["params"]["vectors"]["distance"] == distance
    assert info["status"] == "green"
    assert info["points_count"] == 0
    assert isinstance(info["segments_count"], int) and info["segments_count"] >= 1
    assert info["optimizer_status"] == "ok"
    assert info["payload_schema"] == {}


def test_create_named_vectors(api):
    vectors = {"image": {"size": 4, "distance": "Dot"}, "text": {"size": 6, "distance": "Cosine"}}
    assert api.ok("PUT", "/collections/named_c", {"vectors": vectors}) is True
    info = api.ok("GET", "/collections/named_c")
    got = info["config"]["params"]["vectors"]
    assert set(got) == {"image", "text"}
    assert got["image"]["size"] == 4 and got["image"]["distance"] == "Dot"
    assert got["text"]["size"] == 6 and got["text"]["distance"] == "Cosine"


def test_create_with_configs_reported_back(api):
    body = {
        "vectors": {"size": 4, "distance": "Cosine"},
        "hnsw_config": {"m": 32, "ef_construct": 200, "full_scan_threshold": 5000},
        "optimizers_config": {"indexing_threshold": 5000, "deleted_threshold": 0.3},
        "wal_config": {"wal_capacity_mb": 64, "wal_segments_ahead": 1},
        "quantization_config": {"scalar": {"type": "int8", "quantile": 0.99, "always_ram": True}},
    }
    assert api.ok("PUT", "/collections/cfg_c", body) is True
    cfg = api.ok("GET", "/collections/cfg_c")["config"]
    assert cfg["hnsw_config"]["m"] == 32
    assert cfg["hnsw_config"]["ef_construct"] == 200
    assert cfg["hnsw_config"]["full_scan_threshold"] == 5000
    # request key is optimizers_config, the info key is optimizer_config
    assert cfg["optimizer_config"]["indexing_threshold"] == 5000
    assert cfg["optimizer_config"]["deleted_threshold"] == pytest.approx(0.3)
    assert cfg["wal_config"]["wal_capacity_mb"] == 64
    assert cfg["wal_config"]["wal_segments_ahead"] == 1
    assert cfg["quantization_config"]["scalar"]["type"] == "int8"
    assert cfg["quantization_config"]["scalar"]["quantile"] == pytest.approx(0.99)
    assert cfg["quantization_config"]["scalar"]["always_ram"] is True


def test_defaults_reported(api):
    create_collection(api, "defaults_c", size=4, distance="Dot")
    cfg = api.ok("GET", "/collections/defaults_c")["config"]
    # Qdrant's defaults (config/config.yaml): m 16, ef_construct 100, full_scan_threshold 10000, wal 32 MB
    assert cfg["hnsw_config"]["m"] == 16
    assert cfg["hnsw_config"]["ef_construct"] == 100
    assert cfg["hnsw_config"]["full_scan_threshold"] == 10000
    assert cfg["wal_config"]["wal_capacity_mb"] == 32
    assert cfg["params"]["shard_number"] == 1
    assert cfg["params"]["replication_factor"] == 1
    assert cfg["params"]["write_consistency_factor"] == 1


def test_recreate_conflicts_409(api):
    create_collection(api, "dup_c")
    status, body = api.put("/collections/dup_c", json={"vectors": {"size": 4, "distance": "Dot"}})
    assert status == 409, body
    assert body["status"]["error"] == "Wrong input: Collection `dup_c` already exists!"


def test_list_collections(api):
    create_collection(api, "list_a")
    create_collection(api, "list_b")
    result = api.ok("GET", "/collections")
    names = [c["name"] for c in result["collections"]]
    assert "list_a" in names and "list_b" in names
    assert all(set(c) == {"name"} for c in result["collections"]), result


def test_exists(api):
    create_collection(api, "exists_c")
    assert api.ok("GET", "/collections/exists_c/exists") == {"exists": True}
    assert api.ok("GET", "/collections/never_created/exists") == {"exists": False}


def test_info_counts_points(api):
    create_collection(api, "count_c")
    upsert(api, "count_c", [{"id": i, "vector": [i, 1, 2, 3], "payload": {"k": i}} for i in range(1, 26)])
    info = api.ok("GET", "/collections/count_c")
    assert info["points_count"] == 25
    assert info["status"] == "green"


def test_info_missing_collection_404(api):
    status, body = api.get("/collections/missing_c")
    assert status == 404
    assert body["status"]["error"] == "Not found: Collection `missing_c` doesn't exist!"


def test_patch_optimizers_and_hnsw(api):
    create_collection(api, "patch_c")
    assert api.ok("PATCH", "/collections/patch_c", {"optimizers_config": {"indexing_threshold": 12345}}) is True
    cfg = api.ok("GET", "/collections/patch_c")["config"]
    assert cfg["optimizer_config"]["indexing_threshold"] == 12345
    assert api.ok("PATCH", "/collections/patch_c", {"hnsw_config": {"m": 8}}) is True
    cfg = api.ok("GET", "/collections/patch_c")["config"]
    assert cfg["hnsw_config"]["m"] == 8
    assert cfg["optimizer_config"]["indexing_threshold"] == 12345  # earlier change kept


def test_patch_missing_collection_404(api):
    status, body = api.patch("/collections/nope_patch", json={"optimizers_config": {"indexing_threshold": 1}})
    assert status == 404, body


def test_delete_collection(api):
    create_collection(api, "del_c")
    upsert(api, "del_c", [{"id": 1, "vector": [1, 2, 3, 4]}])
    assert api.ok("DELETE", "/collections/del_c") is True
    assert api.ok("GET", "/collections/del_c/exists") == {"exists": False}
    # deleting again is not an error: 200 with result false
    assert api.ok("DELETE", "/collections/del_c") is False
    status, _ = api.get("/collections/del_c")
    assert status == 404
    # the name is free again and the new collection starts empty
    create_collection(api, "del_c")
    assert api.ok("GET", "/collections/del_c")["points_count"] == 0


def test_invalid_vector_size(api):
    # VectorParams.size is a NonZeroU64 (0 fails to deserialize: 400 "Format error") that is also validated
    # to be <= 65536 (a validator failure: 422 "Validation error").
    status, body = api.put("/collections/bad_size", json={"vectors": {"size": 0, "distance": "Dot"}})
    assert status == 400, body
    assert body["status"]["error"].startswith("Format error in JSON body"), body
    status, body = api.put("/collections/bad_size", json={"vectors": {"size": 65537, "distance": "Dot"}})
    assert status == 422, body
    # wording from Qdrant's own tests/openapi/test_limits.py
    assert body["status"]["error"] == \
        "Validation error in JSON body: [vectors.size: value 65537 invalid, must be from 1 to 65536]", body
    assert api.ok("GET", "/collections/bad_size/exists") == {"exists": False}


def test_unknown_distance_rejected(api):
    status, body = api.put("/collections/bad_dist", json={"vectors": {"size": 4, "distance": "Hamming"}})
    assert status == 400, body
    assert body["status"]["error"].startswith("Format error in JSON body"), body


# ---------------------------------------------------------------- aliases

def _aliases(api, path="/aliases"):
    return sorted((a["alias_name"], a["collection_name"]) for a in api.ok("GET", path)["aliases"])


def test_alias_create_rename_delete(api):
    create_collection(api, "al_target")
    create_collection(api, "al_other")
    actions = {"actions": [{"create_alias": {"collection_name": "al_target", "alias_name": "al_one"}},
                           {"create_alias": {"collection_name": "al_other", "alias_name": "al_two"}}]}
    assert api.ok("POST", "/collections/aliases", actions) is True
    everything = _aliases(api)
    assert ("al_one", "al_target") in everything and ("al_two", "al_other") in everything
    assert _aliases(api, "/collections/al_target/aliases") == [("al_one", "al_target")]

    rename = {"actions": [{"rename_alias": {"old_alias_name": "al_one", "new_alias_name": "al_renamed"}}]}
    assert api.ok("POST", "/collections/aliases", rename) is True
    assert _aliases(api, "/collections/al_target/aliases") == [("al_renamed", "al_target")]

    # an alias can be switched to another collection in one atomic request
    switch = {"actions": [{"delete_alias": {"alias_name": "al_renamed"}},
                          {"create_alias": {"collection_name": "al_other", "alias_name": "al_renamed"}}]}
    assert api.ok("POST", "/collections/aliases", switch) is True
    assert _aliases(api, "/collections/al_target/aliases") == []
    assert ("al_renamed", "al_other") in _aliases(api)

    delete = {"actions": [{"delete_alias": {"alias_name": "al_renamed"}}, {"delete_alias": {"alias_name": "al_two"}}]}
    assert api.ok("POST", "/collections/aliases", delete) is True
    names = [a for a, _ in _aliases(api)]
    assert "al_renamed" not in names and "al_two" not in names


def test_alias_to_missing_collection_404(api):
    status, body = api.post("/collections/aliases", json={
        "actions": [{"create_alias": {"collection_name": "no_such_coll", "alias_name": "al_bad"}}]})
    assert status == 404, body
    assert "al_bad" not in [a for a, _ in _aliases(api)]


def test_alias_usable_in_point_and_search_routes(api):
    create_collection(api, "al_data", size=4, distance="Dot")
    assert api.ok("POST", "/collections/aliases", {
        "actions": [{"create_alias": {"collection_name": "al_data", "alias_name": "al_data_alias"}}]}) is True
    # writes, reads and searches addressed to the alias act on the collection
    upsert(api, "al_data_alias", [{"id": 1, "vector": [1, 0, 0, 0], "payload": {"n": 1}},
                                  {"id": 2, "vector": [0, 1, 0, 0], "payload": {"n": 2}}])
    rec = api.ok("GET", "/collections/al_data/points/1")
    assert rec["payload"] == {"n": 1}
    rec = api.ok("GET", "/collections/al_data_alias/points/2")
    assert rec["payload"] == {"n": 2}
    res = api.ok("POST", "/collections/al_data_alias/points/query", {"query": [0, 1, 0, 0], "limit": 1})
    assert [p["id"] for p in res["points"]] == [2]
    res = api.ok("POST", "/collections/al_data_alias/points/search", {"vector": [1, 0, 0, 0], "limit": 1})
    assert [p["id"] for p in res] == [1]
    assert api.ok("POST", "/collections/al_data_alias/points/count", {"exact": True}) == {"count": 2}
    assert api.ok("GET", "/collections/al_data_alias")["points_count"] == 2


def test_deleting_collection_drops_its_aliases(api):
    create_collection(api, "al_gone")
    api.ok("POST", "/collections/aliases",
           {"actions": [{"create_alias": {"collection_name": "al_gone", "alias_name": "al_gone_alias"}}]})
    assert api.ok("DELETE", "/collections/al_gone") is True
    assert "al_gone_alias" not in [a for a, _ in _aliases(api)]


def test_metadata_created_merged_and_kept_across_restart(make_server):
    from harness import Api
    srv = make_server()
    api = Api(srv)
    assert api.ok("PUT", "/collections/meta_c", {"vectors": {"size": 4, "distance": "Dot"},
                                                 "metadata": {"model": "e5", "n": 1}}) is True
    assert api.ok("GET", "/collections/meta_c")["config"]["metadata"] == {"model": "e5", "n": 1}
    # PATCH merges keys; a null value removes one.
    assert api.ok("PATCH", "/collections/meta_c", {"metadata": {"n": None, "owner": {"team": "x"}}}) is True
    assert api.ok("GET", "/collections/meta_c")["config"]["metadata"] == {"model": "e5", "owner": {"team": "x"}}
    status, body = api.patch("/collections/meta_c", json={"metadata": [1, 2]})
    assert status == 400 and "metadata" in body["status"]["error"], body
    srv.restart()
    assert api.ok("GET", "/collections/meta_c")["config"]["metadata"] == {"model": "e5", "owner": {"team": "x"}}
    # Without metadata the key is absent, as in Qdrant.
    create_collection(api, "meta_none")
    assert "metadata" not in api.ok("GET", "/collections/meta_none")["config"]
