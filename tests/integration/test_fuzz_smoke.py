"""Robustness smoke: seeded random and mutated request bodies on every write and read route never
crash the server, never answer 5xx, and always answer in Qdrant's envelope (validated by `Api`).
Bounded (600 requests); the libFuzzer targets of issue 8 go deeper."""
import json
import random

from helpers import create_collection, upsert

ROUTES = [
    ("PUT", "/collections/fz/points?wait=true"),
    ("POST", "/collections/fz/points/delete?wait=true"),
    ("POST", "/collections/fz/points/payload?wait=true"),
    ("PUT", "/collections/fz/points/payload?wait=true"),
    ("POST", "/collections/fz/points/payload/delete?wait=true"),
    ("POST", "/collections/fz/points/payload/clear?wait=true"),
    ("PUT", "/collections/fz/points/vectors?wait=true"),
    ("POST", "/collections/fz/points/vectors/delete?wait=true"),
    ("POST", "/collections/fz/points/batch?wait=true"),
    ("POST", "/collections/fz/points"),
    ("POST", "/collections/fz/points/scroll"),
    ("POST", "/collections/fz/points/count"),
    ("POST", "/collections/fz/points/query"),
    ("POST", "/collections/fz/points/query/batch"),
    ("POST", "/collections/fz/points/search"),
    ("POST", "/collections/fz/points/recommend"),
    ("PUT", "/collections/fz/index?wait=true"),
    ("PATCH", "/collections/fz"),
    ("PUT", "/collections/fz_new"),
    ("POST", "/collections/aliases"),
]

SEEDS = [
    {"points": [{"id": 1, "vector": [1, 2, 3, 4], "payload": {"a": 1}}]},
    {"batch": {"ids": [1, 2], "vectors": [[1, 2, 3, 4], [4, 3, 2, 1]]}},
    {"points": [1, 2], "filter": {"must": [{"key": "a", "match": {"value": 1}}]}},
    {"payload": {"x": {"y": [1, 2]}}, "points": [1], "key": "x.y"},
    {"keys": ["a", "b[].c"], "points": [1]},
    {"operations": [{"upsert": {"points": [{"id": 3, "vector": [0, 0, 0, 1]}]}}, {"delete": {"points": [3]}}]},
    {"query": [1, 0, 0, 0], "limit": 3, "filter": {"should": [{"has_id": [1]}, {"is_empty": {"key": "q"}}]}},
    {"vector": [1, 0, 0, 0], "top": 2, "with_payload": ["a"]},
    {"positive": [1], "negative": [2], "limit": 2},
    {"limit": 2, "offset": 1, "order_by": {"key": "a", "direction": "desc"}},
    {"field_name": "a", "field_schema": "integer"},
    {"optimizers_config": {"indexing_threshold": 100}},
    {"vectors": {"size": 4, "distance": "Dot"}},
    {"actions": [{"create_alias": {"collection_name": "fz", "alias_name": "fz_alias"}}]},
    {"filter": {"must": [{"key": "geo", "geo_radius": {"center": {"lon": 1, "lat": 2}, "radius": 10}},
                         {"nested": {"key": "n", "filter": {"must": [{"key": "a", "range": {"gt": 1}}]}}}]}},
]

NASTY = [None, True, -1, 0, 2 ** 64, -2 ** 63, 1.5e308, "", "x" * 300, "42", [], {}, [[]], [None],
         {"": None}, "550e8400-e29b-41d4-a716-446655440000", [1e38] * 4, "a.b[].c[0]"]


def mutate(rng, value, depth=0):
    if depth > 6 or rng.random() < 0.15:
        return rng.choice(NASTY)
    if isinstance(value, dict):
        out = {k: mutate(rng, v, depth + 1) if rng.random() < 0.5 else v for k, v in value.items()}
        if rng.random() < 0.2:
            out[rng.choice(["extra", "limit", "filter", "id", "vector"])] = rng.choice(NASTY)
        if out and rng.random() < 0.2:
            out.pop(rng.choice(list(out)))
        return out
    if isinstance(value, list):
        out = [mutate(rng, v, depth + 1) if rng.random() < 0.5 else v for v in value]
        if rng.random() < 0.2:
            out.append(rng.choice(NASTY))
        return out
    return rng.choice(NASTY) if rng.random() < 0.5 else value


def test_random_bodies_never_crash_or_500(api, server):
    create_collection(api, "fz", size=4, distance="Dot")
    upsert(api, "fz", [{"id": i, "vector": [i, 1, 0, 0], "payload": {"a": i}} for i in range(20)])
    rng = random.Random(20261124)
    for i in range(600):
        method, path = rng.choice(ROUTES)
        body = mutate(rng, rng.choice(SEEDS))
        raw = json.dumps(body)
        if rng.random() < 0.1:  # broken JSON text too
            cut = rng.randrange(len(raw) + 1)
            raw = raw[:cut] + rng.choice(["", "}", "\x00", "[", "\"\\u12"])
        status, resp = api.request(method, path, data=raw.encode(), headers={"content-type": "application/json"})
        assert status < 500, (i, method, path, raw[:300], resp)
        assert server.died_unexpectedly() is None, (i, method, path, raw[:300])
    status, _ = api.request("GET", "/healthz", validate=False)
    assert status == 200
