"""Port of qdrant/qdrant tests/openapi/test_group.py: /points/search/groups and /points/recommend/groups with
group_size, multi-valued and heterogeneous group keys, with_vector, and with_lookup (string, object, payload and
vector selectors, missing lookup collection)."""
import pytest

from qdrant_setup import basic_collection_setup, drop_collection

COLL = "test_collection_groups"
LOOKUP = "test_collection_groups_lookup"
SEARCH_GROUPS = "/collections/%s/points/search/groups" % COLL
RECO_GROUPS = "/collections/%s/points/recommend/groups" % COLL


def upsert(api, name, points):
    api.ok("PUT", "/collections/%s/points?wait=true" % name, {"points": points})


@pytest.fixture(autouse=True, scope="module")
def setup(api):
    basic_collection_setup(api, COLL)
    # chunked docs: 50 docs of 5 chunks
    upsert(api, COLL, [{"id": d * 5 + c, "vector": [1.0, 0.0, 0.0, 0.0], "payload": {"docId": d}}
                       for d in range(50) for c in range(5)])
    # array fields
    upsert(api, COLL, [{"id": d * 5 + c + 5000, "vector": [0.0, 1.0, 0.0, 0.0],
                        "payload": {"multiId": ["valid_%d" % d, "valid_too_%d" % d]}}
                       for d in range(3) for c in range(5)])
    # heterogeneous fields
    values = ["string", 123, [1, 2, 3], ["a", "b", "c"], 2.42, [["a", "b", "c"]], {"object": "string"}, [], None]
    upsert(api, COLL, [{"id": 6000 + i, "vector": [0.0, 0.0, 1.0, 0.0], "payload": {"heterogenousId": v}}
                       for i, v in enumerate(values)])
    # multi-value payload
    upsert(api, COLL, [{"id": 9000 + i, "vector": [0.0, 0.0, 1.0, 1.0], "payload": {"mkey": ["a"]}}
                       for i in range(100)] +
           [{"id": 9100 + i, "vector": [0.0, 0.0, 1.0, 0.0], "payload": {"mkey": ["a", "b"]}} for i in range(10)])
    basic_collection_setup(api, LOOKUP)
    upsert(api, LOOKUP, [{"id": i, "vector": [1.0, 0.0, 0.0, 0.0], "payload": {"body": "doc body %d" % i}}
                         for i in range(100)])
    yield
    drop_collection(api, COLL)
    drop_collection(api, LOOKUP)


def groups_of(api, path, body):
    status, res = api.post(path, json=body)
    assert status == 200, res
    return res["result"]["groups"]


def test_search_with_multiple_groups(api):
    """test_group.py::test_search_with_multiple_groups"""
    groups = groups_of(api, SEARCH_GROUPS, {"vector": [0.0, 0.0, 1.0, 1.0], "limit": 2, "with_payload": True,
                                            "group_by": "mkey", "group_size": 2})
    assert len(groups) == 2
    assert groups[0]["id"] == "a"
    assert groups[1]["id"] == "b"


def check_doc_groups(groups, count, with_vector=False):
    assert len(groups) == count
    for g in groups:
        assert len(g["hits"]) == 3
        for h in g["hits"]:
            assert h["payload"]["docId"] == g["id"]
            if with_vector:
                assert h["vector"] == [1.0, 0.0, 0.0, 0.0]


def test_search(api):
    """test_group.py::test_search"""
    check_doc_groups(groups_of(api, SEARCH_GROUPS, {"vector": [1.0, 0.0, 0.0, 0.0], "limit": 10,
                                                    "with_payload": True, "group_by": "docId", "group_size": 3}), 10)


def test_recommend(api):
    """test_group.py::test_recommend"""
    check_doc_groups(groups_of(api, RECO_GROUPS, {"positive": [5, 10, 15], "negative": [6, 11, 16], "limit": 10,
                                                  "with_payload": True, "group_by": "docId", "group_size": 3}), 10)


def test_with_vectors(api):
    """test_group.py::test_with_vectors"""
    check_doc_groups(groups_of(api, SEARCH_GROUPS, {"vector": [1.0, 0.0, 0.0, 0.0], "limit": 5, "with_payload": True,
                                                    "with_vector": True, "group_by": "docId", "group_size": 3}),
                     5, with_vector=True)


def test_inexistent_group_by(api):
    """test_group.py::test_inexistent_group_by"""
    assert groups_of(api, SEARCH_GROUPS, {"vector": [1.0, 0.0, 0.0, 0.0], "limit": 10, "with_payload": True,
                                          "with_vector": True, "group_by": "inexistentDocId", "group_size": 3}) == []


@pytest.mark.parametrize("group_by", ["multiId", "multiId[]"])
def test_multi_value_group_by(api, group_by):
    """test_group.py::test_multi_value_group_by"""
    groups = groups_of(api, SEARCH_GROUPS, {"vector": [0.0, 1.0, 0.0, 0.0], "limit": 6, "with_payload": True,
                                            "group_by": group_by, "group_size": 3})
    assert len(groups) == 6
    ids = [g["id"] for g in groups]
    for i in range(3):
        assert "valid_%d" % i in ids
        assert "valid_too_%d" % i in ids


def test_groups_by_heterogenous_fields(api):
    """test_group.py::test_groups_by_heterogenous_fields"""
    groups = groups_of(api, SEARCH_GROUPS, {"vector": [0.0, 0.0, 1.0, 0.0], "limit": 10, "with_payload": True,
                                            "group_by": "heterogenousId", "group_size": 3})
    ids = [g["id"] for g in groups]
    assert len(groups) == 8
    for expected in ("c", 3, 1, 123, 2, "string", "b", "a"):
        assert expected in ids


LOOKUPS = [LOOKUP, {"collection": LOOKUP}, {"collection": LOOKUP, "with_payload": True, "with_vectors": False}]


def check_default_lookup(groups):
    assert len(groups) == 10
    for g in groups:
        assert len(g["hits"]) == 3
        assert g["lookup"]
        assert g["id"] == g["lookup"]["id"]
        assert g["lookup"]["payload"]
        assert not g["lookup"].get("vector")


@pytest.mark.parametrize("with_lookup", LOOKUPS)
def test_search_groups_with_lookup(api, with_lookup):
    """test_group.py::test_search_groups_with_lookup"""
    check_default_lookup(groups_of(api, SEARCH_GROUPS, {"vector": [1.0, 0.0, 0.0, 0.0], "limit": 10,
                                                        "with_payload": True, "group_by": "docId",
                                                        "group_size": 3, "with_lookup": with_lookup}))


@pytest.mark.parametrize("with_lookup", LOOKUPS)
def test_recommend_groups_with_lookup(api, with_lookup):
    """test_group.py::test_recommend_groups_with_lookup"""
    check_default_lookup(groups_of(api, RECO_GROUPS, {"positive": [5, 10, 15], "negative": [6, 11, 16],
                                                      "limit": 10, "with_payload": True, "group_by": "docId",
                                                      "group_size": 3, "with_lookup": with_lookup}))


@pytest.mark.parametrize("with_lookup", [{"collection": LOOKUP, "with_payload": False, "with_vectors": False},
                                         {"collection": LOOKUP, "with_payload": False, "with_vector": False}])
def test_search_groups_with_lookup_without_payload_nor_vectors(api, with_lookup):
    """test_group.py::test_search_groups_with_lookup_without_payload_nor_vectors"""
    groups = groups_of(api, SEARCH_GROUPS, {"vector": [1.0, 0.0, 0.0, 0.0], "limit": 10, "with_payload": True,
                                            "group_by": "docId", "group_size": 3, "with_lookup": with_lookup})
    assert len(groups) == 10
    for g in groups:
        assert len(g["hits"]) == 3
        assert g["id"] == g["lookup"]["id"]
        assert not g["lookup"].get("payload")
        assert not g["lookup"].get("vector")


def test_search_groups_lookup_with_non_existing_collection(api):
    """test_group.py::test_search_groups_lookup_with_non_existing_collection"""
    status, res = api.post(SEARCH_GROUPS, json={"vector": [1.0, 0.0, 0.0, 0.0], "limit": 10, "with_payload": True,
                                                "group_by": "docId", "group_size": 3,
                                                "with_lookup": {"collection": "non_existing_collection",
                                                                "with_payload": True, "with_vector": True}})
    assert status == 404
    assert "Collection non_existing_collection not found" in res["status"]["error"]


def test_search_groups_with_full_lookup(api):
    """test_group.py::test_search_groups_with_full_lookup"""
    groups = groups_of(api, SEARCH_GROUPS, {"vector": [1.0, 0.0, 0.0, 0.0], "limit": 10, "with_payload": True,
                                            "group_by": "docId", "group_size": 3,
                                            "with_lookup": {"collection": LOOKUP, "with_payload": True,
                                                            "with_vector": True}})
    assert len(groups) == 10
    for g in groups:
        assert len(g["hits"]) == 3
        assert g["id"] == g["lookup"]["id"]
        assert g["lookup"]["payload"]
        assert g["lookup"]["vector"]
