"""A little realistic traffic for the monitoring tests: collections, upserts, searches of every
kind, and the client errors (400, 404) a real server sees."""
import random

DIM = 8


def vec(rng, dim=DIM):
    return [rng.uniform(-1, 1) for _ in range(dim)]


def setup(q, rng=None):
    """Creates collections `books` (one unnamed vector) and `docs` (two named vectors) with points."""
    rng = rng or random.Random(7)
    q.call("PUT", "/collections/books", {"vectors": {"size": DIM, "distance": "Cosine"}}, expect=200)
    q.call("PUT", "/collections/docs", {"vectors": {"title": {"size": DIM, "distance": "Dot"},
                                                    "body": {"size": 4, "distance": "Euclid"}}},
           expect=200)
    q.call("PUT", "/collections/books/index",
           {"field_name": "genre", "field_schema": "keyword"}, expect=200)
    for batch in range(5):
        points = [{"id": batch * 100 + i, "vector": vec(rng),
                   "payload": {"genre": rng.choice(["sf", "crime", "poetry"])}} for i in range(100)]
        q.call("PUT", "/collections/books/points?wait=true", {"points": points}, expect=200)
    points = [{"id": i, "vector": {"title": vec(rng), "body": vec(rng, 4)}} for i in range(50)]
    q.call("PUT", "/collections/docs/points?wait=true", {"points": points}, expect=200)


def round_of_traffic(q, rng=None):
    """One round: writes, every search route, scroll/count, and a few client errors."""
    rng = rng or random.Random()
    point = {"id": rng.randrange(10000, 20000), "vector": vec(rng), "payload": {"genre": "sf"}}
    q.call("PUT", "/collections/books/points?wait=true", {"points": [point]}, expect=200)
    q.call("POST", "/collections/books/points/query", {"query": vec(rng), "limit": 5}, expect=200)
    q.call("POST", "/collections/books/points/query",
           {"query": vec(rng), "limit": 5,
            "filter": {"must": [{"key": "genre", "match": {"value": "sf"}}]}}, expect=200)
    q.call("POST", "/collections/books/points/search", {"vector": vec(rng), "limit": 3}, expect=200)
    q.call("POST", "/collections/books/points/search/batch",
           {"searches": [{"vector": vec(rng), "limit": 2}, {"vector": vec(rng), "limit": 2}]},
           expect=200)
    q.call("POST", "/collections/books/points/recommend", {"positive": [1], "limit": 3}, expect=200)
    q.call("POST", "/collections/docs/points/query",
           {"query": vec(rng), "using": "title", "limit": 3}, expect=200)
    q.call("POST", "/collections/books/points/count", {"exact": True}, expect=200)
    q.call("POST", "/collections/books/points/scroll", {"limit": 10}, expect=200)
    q.call("POST", "/collections/books/points/delete?wait=true", {"points": [point["id"]]},
           expect=200)
    q.call("GET", "/collections", expect=200)
    # client errors: a vector of the wrong size (400) and a collection that does not exist (404)
    q.call("PUT", "/collections/books/points", {"points": [{"id": 1, "vector": [1.0]}]}, expect=400)
    q.call("GET", "/collections/missing", expect=404)


def failing_upsert_body(rng=None, points=1500, dim=256):
    """An upsert whose WAL record (~1.5 MiB) exceeds a 1 MiB file-size limit: the server answers 5xx."""
    rng = rng or random.Random(3)
    return {"points": [{"id": 50000 + i, "vector": [rng.random() for _ in range(dim)]}
                       for i in range(points)]}
