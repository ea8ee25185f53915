"""Unit tests of the contract validator itself: it must accept Qdrant's real bodies and reject broken ones,
otherwise every other test's automatic validation could never fail."""
import json

import pytest

from contract import ContractViolation, get_contract

OK_COLLECTION_INFO = {
    "result": {
        "status": "green",
        "optimizer_status": "ok",
        "indexed_vectors_count": 0,
        "points_count": 6,
        "segments_count": 2,
        "config": {
            "params": {"vectors": {"size": 4, "distance": "Dot"}, "shard_number": 1,
                       "replication_factor": 1, "write_consistency_factor": 1, "on_disk_payload": True},
            "hnsw_config": {"m": 16, "ef_construct": 100, "full_scan_threshold": 10000,
                            "max_indexing_threads": 0, "on_disk": False},
            "optimizer_config": {"deleted_threshold": 0.2, "vacuum_min_vector_number": 1000,
                                 "default_segment_number": 0, "max_segment_size": None,
                                 "memmap_threshold": None, "indexing_threshold": 10000,
                                 "flush_interval_sec": 5, "max_optimization_threads": None},
            "wal_config": {"wal_capacity_mb": 32, "wal_segments_ahead": 0},
            "quantization_config": None,
        },
        "payload_schema": {"city": {"data_type": "keyword", "points": 3}},
    },
    "status": "ok",
    "time": 0.0001,
}


def check(method, path, status, body, content_type="application/json"):
    text = body if isinstance(body, str) else json.dumps(body)
    return get_contract().validate(method, path, status, content_type, text)


def test_accepts_real_qdrant_bodies():
    check("GET", "/collections/c", 200, OK_COLLECTION_INFO)
    check("GET", "/", 200, {"title": "qdrant - vector search engine", "version": "1.19.0", "commit": "a" * 40})
    check("PUT", "/collections/c/points", 200,
          {"result": {"operation_id": 3, "status": "completed"}, "status": "ok", "time": 0.01})
    check("POST", "/collections/c/points/query", 200,
          {"result": {"points": [{"id": 1, "version": 0, "score": 0.5, "payload": {"a": 1}, "vector": None}]},
           "status": "ok", "time": 0.001})
    check("POST", "/collections/c/points/search", 200,  # legacy route, from the 1.18 contract
          {"result": [{"id": "550e8400-e29b-41d4-a716-446655440000", "version": 2, "score": 1.5}],
           "status": "ok", "time": 0.001})
    check("GET", "/collections/c", 404,
          {"status": {"error": "Not found: Collection `c` doesn't exist!"}, "time": 0.0})
    check("GET", "/healthz", 200, "healthz check passed", content_type="text/plain")


@pytest.mark.parametrize("method,path,status,body", [
    # result.config missing (required in CollectionInfo)
    ("GET", "/collections/c", 200, {"result": {"status": "green", "optimizer_status": "ok",
                                               "segments_count": 1, "payload_schema": {}},
                                    "status": "ok", "time": 0.1}),
    # unknown collection status
    ("GET", "/collections/c", 200, dict(OK_COLLECTION_INFO, result=dict(OK_COLLECTION_INFO["result"], status="blue"))),
    # UpdateResult with a status outside the enum
    ("PUT", "/collections/c/points", 200, {"result": {"operation_id": 1, "status": "done"}, "status": "ok", "time": 0}),
    # negative point id
    ("GET", "/collections/c/points/1", 200, {"result": {"id": -1}, "status": "ok", "time": 0}),
    # numeric string and upper-case uuid ids are not what Qdrant prints
    ("POST", "/collections/c/points", 200, {"result": [{"id": "42"}], "status": "ok", "time": 0}),
    ("POST", "/collections/c/points", 200,
     {"result": [{"id": "550E8400-E29B-41D4-A716-446655440000"}], "status": "ok", "time": 0}),
    # ScoredPoint without its required version
    ("POST", "/collections/c/points/search", 200, {"result": [{"id": 1, "score": 0.1}], "status": "ok", "time": 0}),
    # count must be an unsigned integer
    ("POST", "/collections/c/points/count", 200, {"result": {"count": "3"}, "status": "ok", "time": 0}),
    # success without the envelope
    ("GET", "/collections", 200, {"collections": []}),
    ("GET", "/collections", 200, {"result": {"collections": []}, "status": "error", "time": 0}),
    # error responses must be the error envelope
    ("GET", "/collections/c", 404, {"error": "not found"}),
    ("GET", "/collections/c", 400, {"status": "error", "time": 0}),
    ("GET", "/no/such/route", 404, {"message": "nope"}),
    # success on a route / status the contract does not document
    ("GET", "/no/such/route", 200, {"result": True, "status": "ok", "time": 0}),
    ("GET", "/collections/c", 201, {"result": True, "status": "ok", "time": 0}),
    # JSON where the contract says text/plain, and vice versa
    ("GET", "/healthz", 200, {"result": "ok", "status": "ok", "time": 0}),
])
def test_rejects_invalid_bodies(method, path, status, body):
    with pytest.raises(ContractViolation):
        check(method, path, status, body)


def test_rejects_non_json_error_and_non_json_success():
    with pytest.raises(ContractViolation):
        check("GET", "/collections/c", 500, "internal error", content_type="text/plain")
    with pytest.raises(ContractViolation):
        check("GET", "/collections", 200, "ok", content_type="text/plain")
    with pytest.raises(ContractViolation):
        check("GET", "/collections", 200, "{not json", content_type="application/json")


def test_route_matching_prefers_literal_segments_and_falls_back_to_legacy():
    c = get_contract()
    spec, template = c.find("POST", "/collections/aliases")
    assert template == "/collections/aliases" and spec.name == "1.19"
    spec, template = c.find("POST", "/collections/c/points/scroll")
    assert template == "/collections/{collection_name}/points/scroll"
    spec, template = c.find("GET", "/collections/c/points/17")
    assert template == "/collections/{collection_name}/points/{id}"
    spec, template = c.find("POST", "/collections/c/points/recommend")
    assert spec.name == "1.18" and template == "/collections/{collection_name}/points/recommend"
    assert c.find("GET", "/no/such/route") == (None, None)
    assert c.find("DELETE", "/collections/c/points") == (None, None)
