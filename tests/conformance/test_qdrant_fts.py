"""Port of qdrant/qdrant tests/openapi/test_fts.py (full-text index: `text_any` vs `should` of `text`, prefix
tokenizer). The random vectors are seeded here."""
import random

import pytest

from qdrant_setup import drop_collection, scroll, search

TEXTS = [
    "2430 A.D.", "The Acquisitive Chuckle", "Author! Author!", "The Bicentennial Man", "Big Game", "The Billiard Ball",
    "Birth of a Notion", "Black Friar of the Flame", "Blank!", "Blind Alley", "Breeds There a Man...?",
    "Button, Button", "Buy Jupiter", "C-Chute", "Cal", "The Callistan Menace", "Catch That Rabbit",
    "Christmas on Ganymede", "Darwinian Pool Room", "Day of the Hunters", "Death Sentence", "Does a Bee Care?",
    "Dreaming Is a Private Thing", "The Dust of Death", "The Dying Night", "Each an Explorer", "Escape!", "Everest",
    "Evidence", "The Evitable Conflict", "Exile to Hell", "Eyes Do More Than See", "The Feeling of Power",
    "Feminine Intuition", "First Law", "Flies", "For the Birds", "Founding Father", "The Fun They Had",
    "Galley Slave", "The Gentle Vultures", "Getting Even", "Gimmicks Three", "Gold", "Good Taste",
    "The Greatest Asset", "Green Patches", "Half-Breed", "Half-Breeds on Venus", "Hallucination", "The Hazing",
    "Hell-Fire", "Heredity", "History", "Homo Sol", "Hostess", "I Just Make Them Up, See!",
    "I'm in Marsport Without Hilda", "The Imaginary", "The Immortal Bard", "In a Good Cause—",
    "Insert Knob A in Hole B", "The Instability", "It's Such a Beautiful Day", "The Key", "Kid Stuff",
    "The Last Answer", "The Last Question", "The Last Trump", "Left to Right", "Legal Rites", "Lenny",
    "Lest We Remember", "Let's Not", "Liar!", "Light Verse", "Little Lost Robot", "The Little Man on the Subway",
    "Living Space", "A Loint of Paw", "The Magnificent Possession", "Marching In", "Marooned off Vesta",
    "The Message", "Mirror Image", "Mother Earth", "My Son, the Physicist", "No Connection", "No Refuge Could Save",
    "Nobody Here But—", "Not Final!", "Obituary", "Old-fashioned", "Pâté de Foie Gras", "The Pause",
    "Ph as in Phony", "The Portable Star", "The Proper Study", "Rain, Rain, Go Away", "Reason",
    "The Red Queen's Race", "Rejection Slips", "Ring Around the Sun", "Risk", "Robot AL-76 Goes Astray",
    "Robot Dreams", "Runaround", "Sally", "Satisfaction Guaranteed", "The Secret Sense", "Shah Guido G.",
    "Silly Asses", "The Singing Bell", "Sixty Million Trillion Combinations", "Spell My Name with an S",
    "Star Light", "A Statue for Father", "Strikebreaker", "Super-Neutron", "Take a Match", "The Talking Stone",
    ". . . That Thou Art Mindful of Him", "Thiotimoline", "Time Pussy", "Trends", "Truth to Tell",
    "The Ugly Little Boy", "The Ultimate Crime", "Unto the Fourth Generation", "The Up-to-Date Sorcerer",
    "Waterclap", "The Watery Place", "The Weapon", "The Weapon Too Dreadful to Use", "What If—",
    "What Is This Thing Called Love?", "What's in a Name?", "The Winnowing",
]


@pytest.fixture(autouse=True, scope="module")
def setup(api, collection_name):
    drop_collection(api, collection_name)
    assert api.put("/collections/%s" % collection_name, json={
        "vectors": {"size": 4, "distance": "Dot", "on_disk": False}, "on_disk_payload": False})[0] == 200
    assert api.get("/collections/%s" % collection_name)[0] == 200
    rng = random.Random(3)
    status, body = api.put("/collections/%s/points?wait=true" % collection_name, json={"points": [
        {"id": i, "vector": [rng.random() for _ in range(4)], "payload": {"title": t}} for i, t in enumerate(TEXTS)]})
    assert status == 200, body
    yield
    drop_collection(api, collection_name)


# With a full-text index, `match: text / text_any / phrase` compares the index's tokens (tokenizer, lowercase,
# stopwords, token lengths: engine/filter/text_tokenizer.cpp); without one it stays a substring check.


def create_text_index(api, name, schema):
    status, body = api.put("/collections/%s/index?wait=true" % name, json={"field_name": "title",
                                                                           "field_schema": schema})
    assert status == 200, body


def test_match_any(api, collection_name):
    """test_fts.py::test_match_any: text_any == should of text per word"""
    create_text_index(api, collection_name, {"type": "text", "tokenizer": "word", "lowercase": True,
                                             "stopwords": "english"})
    status, body = scroll(api, collection_name, {"offset": None, "limit": 10, "with_payload": True,
                                                 "with_vector": False, "filter": {"must": {
                                                     "key": "title", "match": {"text_any": "robot of the star"}}}})
    assert status == 200, body
    any_ids = {p["id"] for p in body["result"]["points"]}
    status, body = scroll(api, collection_name, {"offset": None, "limit": 10, "with_payload": True,
                                                 "with_vector": False, "filter": {"should": [
                                                     {"key": "title", "match": {"text": "robot"}},
                                                     {"key": "title", "match": {"text": "star"}}]}})
    assert status == 200, body
    assert any_ids == {p["id"] for p in body["result"]["points"]}


def test_scroll_with_prefix(api, collection_name):
    """test_fts.py::test_scroll_with_prefix"""
    create_text_index(api, collection_name, {"type": "text", "tokenizer": "prefix"})
    flt = {"should": [{"key": "title", "match": {"text": "ROBO"}}]}
    status, body = scroll(api, collection_name, {"offset": None, "limit": 10, "with_payload": True,
                                                 "with_vector": False, "filter": flt})
    assert status == 200, body
    assert len(body["result"]["points"]) == 3
    status, body = search(api, collection_name, {"vector": [1., 1., 1., 1.], "limit": 10, "with_payload": True,
                                                 "with_vector": False, "filter": flt})
    assert status == 200, body
    assert len(body["result"]) == 3
