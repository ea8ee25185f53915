"""Validates HTTP responses against Qdrant's OpenAPI 3.0.1 contract.

The 1.19 spec is tried first; the 1.18 spec supplies the legacy routes (/points/search,
/points/search/batch, /points/recommend, ...) that 1.19 still serves but no longer documents.

OpenAPI 3.0 specifics are converted to JSON Schema (draft 7):
  * `nullable: true` -> the schema also accepts null (`{"nullable": true}` alone means "null");
  * `$ref: #/components/schemas/X` -> `#/definitions/X` of the same spec;
  * `example` and other OpenAPI-only annotations are dropped; of the formats only `uuid` (Qdrant prints
    ids lowercase hyphenated) and the unsigned integer ranges (`uint`, `uint8/32/64`) are checked.

Any JSON response is validated against the schema of its status code (exact code, then `4XX`/`5XX`,
then `default`). A response whose status has no schema in the contract is a violation, except error
responses (status >= 400), which must always be Qdrant's error envelope
`{"status": {"error": "<message>"}, "time": <number>}`.
"""
import copy
import json
import os
import re

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))


def _spec_dir():
    candidates = [
        os.environ.get("QUIVER_OPENAPI_DIR"),
        os.path.join(REPO_ROOT, "..", "shared"),
        os.path.join(REPO_ROOT, "shared"),
        "/work/shared",
    ]
    for c in candidates:
        if c and os.path.isfile(os.path.join(c, "qdrant-openapi.json")):
            return os.path.abspath(c)
    raise FileNotFoundError(
        "qdrant-openapi.json not found (set QUIVER_OPENAPI_DIR); looked in %s" % candidates)


class ContractViolation(AssertionError):
    """A response that does not follow the contract."""


ERROR_ENVELOPE = {
    "type": "object",
    "required": ["status", "time"],
    "properties": {
        "status": {
            "type": "object",
            "required": ["error"],
            "properties": {"error": {"type": "string"}},
        },
        "time": {"type": "number"},
        "result": {"type": "null"},
    },
}

_ANNOTATIONS = {"description", "example", "examples", "title", "default", "deprecated",
                "readOnly", "writeOnly", "externalDocs", "xml", "discriminator", "format"}
_SCHEMA_MAPS = ("properties", "patternProperties", "definitions")
_SCHEMA_LISTS = ("anyOf", "oneOf", "allOf")
_SCHEMA_SINGLE = ("items", "additionalProperties", "not")


def convert(node):
    """Convert an OpenAPI 3.0 schema object to a JSON Schema draft 7 object."""
    if isinstance(node, list):
        return [convert(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key in ("example", "examples", "xml", "discriminator", "externalDocs"):
            continue
        if key == "$ref":
            out[key] = value.replace("#/components/schemas/", "#/definitions/")
        elif key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {k: convert(v) for k, v in value.items()}
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            out[key] = [convert(v) for v in value]
        elif key in _SCHEMA_SINGLE and isinstance(value, (dict, list)):
            out[key] = convert(value)
        elif key == "nullable":
            continue
        else:
            out[key] = copy.deepcopy(value)
    if node.get("nullable") is True:
        constraint_keys = set(out) - _ANNOTATIONS
        if not constraint_keys:
            return {"type": "null"}
        if set(constraint_keys) <= {"type", "enum", "minimum", "maximum", "items", "properties",
                                    "required", "additionalProperties", "minItems", "maxItems",
                                    "minLength", "maxLength", "pattern", "exclusiveMinimum",
                                    "exclusiveMaximum", "multipleOf", "uniqueItems",
                                    "minProperties", "maxProperties"} and "type" in out:
            t = out["type"]
            out["type"] = (t if isinstance(t, list) else [t]) + ["null"]
            if "enum" in out and None not in out["enum"]:
                out["enum"] = list(out["enum"]) + [None]
            return out
        return {"anyOf": [{"type": "null"}, out]}
    return out


def _template_regex(template):
    parts = []
    for seg in template.strip("/").split("/"):
        if seg.startswith("{") and seg.endswith("}"):
            parts.append("[^/]+")
        else:
            parts.append(re.escape(seg))
    return re.compile("^/" + "/".join(parts) + "$") if parts != [""] else re.compile("^/$")


class Spec:
    def __init__(self, name, doc):
        self.name = name
        self.doc = doc
        self.definitions = {k: convert(v) for k, v in doc["components"]["schemas"].items()}
        self.routes = []  # (literal segment count, regex, template)
        for template in doc["paths"]:
            literal = sum(1 for s in template.strip("/").split("/") if s and not s.startswith("{"))
            self.routes.append((literal, _template_regex(template), template))
        self.routes.sort(key=lambda r: -r[0])

    def match(self, method, path):
        method = method.lower()
        for _, rx, template in self.routes:
            if rx.match(path) and method in self.doc["paths"][template]:
                return template
        return None

    def operation(self, method, template):
        return self.doc["paths"][template][method.lower()]

    def wrap(self, schema):
        root = convert(schema)
        root = dict(root) if isinstance(root, dict) else {"allOf": [root]}
        root["definitions"] = self.definitions
        return root


class Contract:
    def __init__(self, spec_dir=None):
        spec_dir = spec_dir or _spec_dir()
        with open(os.path.join(spec_dir, "qdrant-openapi.json")) as f:
            current = json.load(f)
        with open(os.path.join(spec_dir, "qdrant-openapi-v1.18.json")) as f:
            legacy = json.load(f)
        self.specs = [Spec("1.19", current), Spec("1.18", legacy)]
        self._validators = {}

    def find(self, method, path):
        """Returns (spec, template) for a concrete path (query string stripped) or (None, None)."""
        path = path.split("?", 1)[0]
        if len(path) > 1:
            path = path.rstrip("/")
        for spec in self.specs:
            template = spec.match(method, path)
            if template:
                return spec, template
        return None, None

    def response_entry(self, spec, template, method, status):
        responses = spec.operation(method, template).get("responses", {})
        for key in (str(status), "%dXX" % (status // 100), "default"):
            if key in responses:
                return key, responses[key]
        return None, None

    def _validator(self, spec, template, method, key, schema):
        cache_key = (spec.name, template, method.lower(), key)
        v = self._validators.get(cache_key)
        if v is None:
            root = spec.wrap(schema)
            v = jsonschema.Draft7Validator(root, format_checker=FORMAT_CHECKER)
            self._validators[cache_key] = v
        return v

    @staticmethod
    def _fail(method, path, status, msg, body):
        text = body if isinstance(body, str) else json.dumps(body)
        raise ContractViolation("%s %s -> %d: %s\nbody: %s" % (method.upper(), path, status, msg, text[:2000]))

    @staticmethod
    def _errors(validator, instance):
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
        if not errors:
            return None
        best = jsonschema.exceptions.best_match(errors)
        return "schema violation at %s: %s" % (
            "/".join(str(p) for p in best.absolute_path) or "<root>", best.message[:800])

    def check_error_envelope(self, method, path, status, body):
        err = self._errors(jsonschema.Draft7Validator(ERROR_ENVELOPE), body)
        if err:
            self._fail(method, path, status, "not Qdrant's error envelope ({\"status\":{\"error\":str},\"time\":num}): " + err, body)

    def validate(self, method, path, status, content_type, text, strict_envelope=True):
        """Validate one response; returns the parsed JSON (or the text for non-JSON bodies)."""
        content_type = (content_type or "").split(";")[0].strip().lower()
        is_json = content_type == "application/json" or content_type.endswith("+json")
        body = text
        if is_json:
            try:
                body = json.loads(text) if text else None
            except ValueError as e:
                self._fail(method, path, status, "Content-Type is JSON but body does not parse: %s" % e, text)

        if status >= 400:
            if not is_json:
                self._fail(method, path, status, "error response is not JSON (Content-Type %r)" % content_type, text)
            self.check_error_envelope(method, path, status, body)

        spec, template = self.find(method, path)
        if spec is None:
            if status >= 400:
                return body
            self._fail(method, path, status, "route is not in the 1.19 or 1.18 contract", text)

        key, entry = self.response_entry(spec, template, method, status)
        if entry is None:
            if status >= 400:
                return body
            self._fail(method, path, status, "status %d is not documented for %s %s (%s)" % (
                status, method.upper(), template, spec.name), text)

        content = entry.get("content") or {}
        if not content:
            if status >= 400:
                return body
            self._fail(method, path, status, "contract documents no body for %s" % key, text)

        if is_json:
            media = content.get("application/json")
            if media is None:
                self._fail(method, path, status, "JSON returned but contract says %s" % list(content), text)
            schema = media.get("schema")
            if schema is not None:
                err = self._errors(self._validator(spec, template, method, key, schema), body)
                if err:
                    self._fail(method, path, status, "%s (contract %s %s %s)" % (err, spec.name, template, key), body)
            if strict_envelope and 200 <= status < 300 and template != "/":
                self._check_success_envelope(method, path, status, body)
            return body

        # Non-JSON body: the contract must list a matching non-JSON media type.
        if not any(mt.split(";")[0] == content_type for mt in content):
            self._fail(method, path, status, "Content-Type %r not in contract media types %s" % (
                content_type, list(content)), text)
        return body

    def _check_success_envelope(self, method, path, status, body):
        if not isinstance(body, dict):
            self._fail(method, path, status, "success body is not an object envelope", body)
        if not isinstance(body.get("time"), (int, float)) or isinstance(body.get("time"), bool):
            self._fail(method, path, status, "envelope lacks numeric `time`", body)
        if status == 202:
            if body.get("status") != "accepted":
                self._fail(method, path, status, "202 envelope must have status \"accepted\"", body)
            return
        if body.get("status") != "ok":
            self._fail(method, path, status, "envelope status must be \"ok\"", body)
        if "result" not in body:
            self._fail(method, path, status, "envelope lacks `result`", body)


_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
FORMAT_CHECKER = jsonschema.FormatChecker(formats=())


@FORMAT_CHECKER.checks("uuid")
def _is_uuid(value):
    return not isinstance(value, str) or bool(_UUID_RE.match(value))


def _uint_checker(bits):
    def check(value):
        if not isinstance(value, int) or isinstance(value, bool):
            return True
        return 0 <= value < (1 << bits)
    return check


for _name, _bits in (("uint", 64), ("uint64", 64), ("uint32", 32), ("uint16", 16), ("uint8", 8)):
    FORMAT_CHECKER.checks(_name)(_uint_checker(_bits))


_CONTRACT = None


def get_contract():
    global _CONTRACT
    if _CONTRACT is None:
        _CONTRACT = Contract()
    return _CONTRACT
