"""Shared helpers: deterministic vectors, brute-force nearest neighbours with Qdrant's scoring rules, and small
request shortcuts."""
import math
import random
import struct
import time

# Qdrant's score per distance (lib/segment/src/spaces/simple.rs):
#   Cosine: dot product of the normalized vectors, higher is better;
#   Dot: dot product, higher is better;
#   Euclid: the returned score is the L2 distance, lower is better;
#   Manhattan: the returned score is the L1 distance, lower is better.
HIGHER_IS_BETTER = {"Cosine": True, "Dot": True, "Euclid": False, "Manhattan": False}


def f32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


def rand_vectors(n, dim, seed):
    rng = random.Random(seed)
    return [[f32(rng.uniform(-1.0, 1.0)) for _ in range(dim)] for _ in range(n)]


def normalize(v):
    n = math.sqrt(sum(x * x for x in v))
    return [x / n for x in v] if n > 0 else list(v)


def score(distance, stored, query):
    if distance == "Cosine":
        a, b = normalize(stored), normalize(query)
        return sum(x * y for x, y in zip(a, b))
    if distance == "Dot":
        return sum(x * y for x, y in zip(stored, query))
    if distance == "Euclid":
        return math.sqrt(sum((x - y) ** 2 for x, y in zip(stored, query)))
    if distance == "Manhattan":
        return sum(abs(x - y) for x, y in zip(stored, query))
    raise ValueError(distance)


def brute_force(vectors, query, distance, limit, offset=0, allowed=None, threshold=None):
    """vectors: {id: vector}. Returns [(id, score)] in Qdrant's order (best first)."""
    higher = HIGHER_IS_BETTER[distance]
    scored = []
    for pid, v in vectors.items():
        if allowed is not None and pid not in allowed:
            continue
        s = score(distance, v, query)
        if threshold is not None and (s < threshold if higher else s > threshold):
            continue
        scored.append((pid, s))
    scored.sort(key=lambda t: -t[1] if higher else t[1])
    return scored[offset:offset + limit]


def approx(a, b, tol=1e-4):
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


def assert_ranking(got, expected, vectors, query, distance, tol=1e-4):
    """got: ScoredPoint dicts from the server; expected: brute_force() output.

    Same length, every returned score equals the true score of the returned id, and position by position the
    returned id is the expected one unless both have (approximately) the same true score (ties aside)."""
    got_ids = [p["id"] for p in got]
    assert len(got) == len(expected), "got %d results, expected %d\ngot=%s\nexpected=%s" % (
        len(got), len(expected), got_ids, [e[0] for e in expected])
    assert len(set(map(str, got_ids))) == len(got_ids), "duplicate ids in result: %s" % got_ids
    for i, (p, (eid, escore)) in enumerate(zip(got, expected)):
        assert p["id"] in vectors, "result %d has unknown id %r" % (i, p["id"])
        true = score(distance, vectors[p["id"]], query)
        assert approx(p["score"], true, tol), "id %r: score %r, brute force %r" % (p["id"], p["score"], true)
        assert approx(p["score"], escore, tol), (
            "position %d: got id %r (score %r), expected id %r (score %r)\ngot=%s\nexpected=%s" % (
                i, p["id"], p["score"], eid, escore, got_ids, [e[0] for e in expected]))


def assert_vec(got, want, tol=1e-5):
    assert got is not None and len(got) == len(want), "vector %r != %r" % (got, want)
    for a, b in zip(got, want):
        assert abs(a - b) <= tol * max(1.0, abs(b)), "vector %r != %r" % (got, want)


def create_collection(api, name, size=4, distance="Dot", **extra):
    body = {"vectors": {"size": size, "distance": distance}}
    body.update(extra)
    assert api.ok("PUT", "/collections/%s" % name, body) is True
    return name


def upsert(api, name, points, wait=True):
    res = api.ok("PUT", "/collections/%s/points%s" % (name, "?wait=true" if wait else ""), {"points": points})
    if wait:
        assert res["status"] == "completed", res
    return res


def scroll_all(api, name, page=64, **extra):
    """All points via scroll paging (next_page_offset), with payload and vectors."""
    out, offset, rounds = [], None, 0
    while True:
        body = {"limit": page, "with_payload": True, "with_vector": True}
        body.update(extra)
        if offset is not None:
            body["offset"] = offset
        res = api.ok("POST", "/collections/%s/points/scroll" % name, body)
        out.extend(res["points"])
        offset = res.get("next_page_offset")
        rounds += 1
        assert rounds < 10000, "scroll does not terminate"
        if offset is None:
            return out


def ids_of(points):
    return sorted((p["id"] for p in points), key=lambda i: (isinstance(i, str), i))


def wait_until(fn, timeout=10.0, interval=0.05):
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(interval)
