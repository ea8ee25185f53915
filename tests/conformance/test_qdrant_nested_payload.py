"""Ports of qdrant/qdrant tests/openapi/test_nested_payload_indexing.py and test_nested_payload_query.py: indexes
on nested keys (`country.capital`, `country.cities[].population`), array paths (`[]`, `[0]`, `[1]`), `nested`
conditions with must/must_not/values_count/is_null/geo, and dropping the indexes again."""
import pytest

from qdrant_setup import drop_collection, scroll


def city(name, population, lon, lat, sightseeing):
    return {"name": name, "population": population, "location": {"lon": lon, "lat": lat},
            "sightseeing": sightseeing}


POINTS = [
    {"id": 1, "vector": [0.05, 0.61, 0.76, 0.74], "payload": {"country": {
        "name": "Germany", "capital": "Berlin", "cities": [
            city("Berlin", 3.7, 13.76116, 52.33826, ["Brandenburg Gate", "Reichstag"]),
            city("Munich", 1.5, 11.57549, 48.13743, ["Marienplatz", "Olympiapark"]),
            city("Hamburg", 1.8, 9.99368, 53.55108, ["Reeperbahn", "Elbphilharmonie"])]}}},
    {"id": 2, "vector": [0.19, 0.81, 0.75, 0.11], "payload": {"country": {
        "name": "England", "capital": "London", "cities": [
            city("London", 8.9, -0.12755, 51.50722, ["Big Ben", "London Eye", "Buckingham Palace"]),
            city("Manchester", 2.5, -2.23743, 53.48095, ["Manchester United", "Manchester City"]),
            city("Liverpool", 0.5, -2.97794, 53.41058, ["Anfield", "Albert Dock"])]}}},
    {"id": 3, "vector": [0.36, 0.55, 0.47, 0.94], "payload": {"country": {
        "name": "France", "capital": "Paris", "cities": [
            city("Paris", 2.2, 2.35222, 48.85661, ["Eiffel Tower", "Louvre", "Notre Dame", "Arc de Triomphe"]),
            city("Marseille", 0.9, 5.36978, 43.29648, ["Vieux Port", "Notre Dame de la Garde"]),
            city("Lyon", 0.5, 4.83565, 45.76404, ["Place Bellecour", "Fourvière Basilica"])]}}},
    {"id": 4, "vector": [0.18, 0.01, 0.85, 0.80], "payload": {"country": {
        "name": "Japan", "capital": "Tokyo", "cities": [
            city("Tokyo", 9.3, 139.69171, 35.6895, ["Tokyo Tower", "Tokyo Skytree"]),
            city("Osaka", 2.7, 135.50217, 34.69374, ["Osaka Castle", "Universal Studios Japan"]),
            city("Kyoto", 1.5, 135.76803, 35.01163, ["Kiyomizu-dera", "Fushimi Inari-taisha"])]}}},
    {"id": 5, "vector": [0.24, 0.18, 0.22, 0.44],
     "payload": {"country": {"name": "Nauru", "cities": [{"name": None}]}}},  # null capital for testing
    {"id": 6, "vector": [0.35, 0.08, 0.11, 0.44]},
]


@pytest.fixture(autouse=True)
def setup(api, collection_name):
    """nested_payload_collection_setup() of test_nested_payload_indexing.py"""
    drop_collection(api, collection_name)
    assert api.put("/collections/%s" % collection_name, json={
        "vectors": {"size": 4, "distance": "Dot", "on_disk": False}, "on_disk_payload": True})[0] == 200
    assert api.get("/collections/%s" % collection_name)[0] == 200
    status, body = api.put("/collections/%s/points?wait=true" % collection_name, json={"points": POINTS})
    assert status == 200, body
    yield
    drop_collection(api, collection_name)


def create_indexes_and_check(api, name):
    assert api.get("/collections/%s" % name)[0] == 200
    assert api.put("/collections/%s/index?wait=true" % name,
                   json={"field_name": "country.capital", "field_schema": "keyword"})[0] == 200
    assert api.put("/collections/%s/index?wait=true" % name,
                   json={"field_name": "country.cities[].population", "field_schema": "float"})[0] == 200
    status, body = api.get("/collections/%s" % name)
    assert status == 200
    schema = body["result"]["payload_schema"]
    assert schema["country.capital"]["data_type"] == "keyword"
    assert schema["country.capital"]["points"] == 4
    assert schema["country.cities[].population"]["data_type"] == "float"
    assert schema["country.cities[].population"]["points"] == 4  # indexed records


def delete_indexes_and_check(api, name):
    for field in ("country.capital", "country.cities[].population"):
        assert api.delete("/collections/%s/index/%s?wait=true" % (name, field))[0] == 200
    status, body = api.get("/collections/%s" % name)
    assert status == 200
    assert len(body["result"]["payload_schema"]) == 0


def points(api, name, flt):
    status, body = scroll(api, name, {"filter": flt, "limit": 3})
    assert status == 200, body
    return body["result"]["points"]


def nested(key, **flt):
    return {"must": [{"nested": {"key": key, "filter": flt}}]}


def test_nested_payload_indexing_operations(api, collection_name):
    """test_nested_payload_indexing.py::test_nested_payload_indexing_operations"""
    name = collection_name
    create_indexes_and_check(api, name)
    # nested key through a payload index
    p = points(api, name, {"should": [{"key": "country.capital", "match": {"value": "London"}}]})
    assert len(p) == 1 and p[0]["payload"]["country"]["name"] == "England"
    # nested key without payload index
    p = points(api, name, {"should": [{"key": "country.name", "match": {"value": "France"}}]})
    assert len(p) == 1 and p[0]["payload"]["country"]["capital"] == "Paris"
    # through an array without `[]`: not implicitly inside the nested array
    p = points(api, name, {"should": [{"key": "country.cities.population", "range": {"gte": 9.0}}]})
    assert len(p) == 0
    # through an array with the payload index: only Japan has a city with population >= 9.0
    p = points(api, name, {"should": [{"key": "country.cities[].population", "range": {"gte": 9.0}}]})
    assert len(p) == 1 and p[0]["payload"]["country"]["name"] == "Japan"
    p = points(api, name, {"should": [{"key": "country.cities[].sightseeing", "match": {"value": "Eiffel Tower"}}]})
    assert len(p) == 1 and p[0]["payload"]["country"]["capital"] == "Paris"
    # array index into an array of objects
    p = points(api, name, {"should": [{"key": "country.cities[0].name", "match": {"value": "Paris"}}]})
    assert len(p) == 1 and p[0]["payload"]["country"]["capital"] == "Paris"
    # array index into an array of scalars
    p = points(api, name, {"should": [{"key": "country.cities[].sightseeing[1]", "match": {"value": "Louvre"}}]})
    assert len(p) == 1 and p[0]["payload"]["country"]["capital"] == "Paris"
    delete_indexes_and_check(api, name)


def test_nested_payload_query_operations(api, collection_name):
    """test_nested_payload_query.py::test_nested_payload_indexing_operations"""
    name = collection_name
    create_indexes_and_check(api, name)
    pop_gte_9 = {"key": "population", "range": {"gte": 9.0}}
    assert len(points(api, name, nested("country.cities[]", must=[pop_gte_9]))) == 1
    assert len(points(api, name, nested("country.cities", must=[pop_gte_9]))) == 1  # implicit `[]`
    # nested filter on non-indexed payload
    p = points(api, name, nested("country.cities", must=[{"must": [
        {"key": "sightseeing", "values_count": {"gt": 3}}]}]))
    assert len(p) == 1 and p[0]["payload"]["country"]["name"] == "France"
    # nested filter and must_not
    assert len(points(api, name, nested("country.cities", must=[pop_gte_9], must_not=[
        {"key": "sightseeing", "values_count": {"gt": 1}}]))) == 0
    # nested filter on indexed payload
    p = points(api, name, nested("country.cities", must=[pop_gte_9]))
    assert len(p) == 1 and p[0]["payload"]["country"]["name"] == "Japan"
    # indexed & non-indexed, must match within one array element
    assert len(points(api, name, nested("country.cities", must=[
        pop_gte_9, {"key": "sightseeing", "values_count": {"gt": 2}}]))) == 0
    p = points(api, name, nested("country.cities", must=[
        {"key": "population", "range": {"gte": 8.0}}, {"key": "sightseeing", "values_count": {"lt": 3}}]))
    assert len(p) == 1 and p[0]["payload"]["country"]["name"] == "Japan"  # only Tokyo
    p = points(api, name, nested("country.cities", must_not=[
        {"key": "population", "range": {"lt": 8.0}}, {"is_null": {"key": "name"}}]))
    assert len(p) == 2
    assert p[0]["payload"]["country"]["name"] == "England"  # London
    assert p[1]["payload"]["country"]["name"] == "Japan"  # Tokyo
    p = points(api, name, nested("country.cities", must_not=[
        {"key": "population", "range": {"lt": 8.0}}, {"key": "sightseeing", "values_count": {"gte": 3}},
        {"is_null": {"key": "name"}}]))
    assert len(p) == 1 and p[0]["payload"]["country"]["name"] == "Japan"  # Tokyo
    # nested null field
    p = points(api, name, nested("country.cities", must=[{"is_null": {"key": "name"}}]))
    assert len(p) == 1 and p[0]["payload"]["country"]["name"] == "Nauru"
    # nested geo bounding box
    box = {"bottom_right": {"lon": 13.76117, "lat": 52.33825}, "top_left": {"lon": 13.08835, "lat": 52.67551}}
    p = points(api, name, nested("country.cities", must=[{"key": "location", "geo_bounding_box": box}]))
    assert len(p) == 1 and p[0]["payload"]["country"]["name"] == "Germany"
    # nested geo radius (1000 m)
    p = points(api, name, nested("country.cities", must=[{"key": "location", "geo_radius": {
        "center": {"lon": 13.76117, "lat": 52.33825}, "radius": 1000}}]))
    assert len(p) == 1 and p[0]["payload"]["country"]["name"] == "Germany"
    delete_indexes_and_check(api, name)
