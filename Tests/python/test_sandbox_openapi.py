"""Validates what `ghlsync sandbox` serves against the official GHL OpenAPI schemas.

Every response the ghlsync client uses (each list endpoint, pipelines, location, OAuth, and the
error bodies) is checked against the response schema of its endpoint in shared/ghl-api/openapi,
with `$ref`s resolved (including `../common/common-schemas.json`). Three schema nodes in the
official files are evidently wrong and are corrected here, each named in SPEC_CORRECTIONS.
"""
import copy
import json
import os
import re
import signal
import subprocess
import urllib.error
import urllib.parse
import urllib.request

import jsonschema
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OPENAPI = os.path.join(os.path.dirname(ROOT), "shared", "ghl-api", "openapi")
BIN = os.environ.get("GHLSYNC_BIN", os.path.join(ROOT, ".build", "debug", "ghlsync"))

# (file, schema name, JSON path inside it, replacement): the official files say "array of
# arrays" or "object" where GHL sends objects and strings.
SPEC_CORRECTIONS = [
    ("opportunities", "PipelinesResponseSchema", ["properties", "stages", "items"], {"type": "object"}),
    ("payments", "TxnResponseSchema", ["properties", "status"], {"type": "string"}),
    ("products", "ListProductReviewsResponseDto", ["properties", "data", "items"], {"type": "object"}),
]

_docs = {}


def load(name):
    if name not in _docs:
        with open(os.path.join(OPENAPI, name + ".json")) as f:
            doc = json.load(f)
        for file, schema, path, replacement in SPEC_CORRECTIONS:
            if file == name:
                node = doc["components"]["schemas"][schema]
                for key in path[:-1]:
                    node = node[key]
                node[path[-1]] = replacement
        _docs[name] = doc
    return _docs[name]


def resolve(node, doc_name, depth=0):
    """Inlines $refs and turns OpenAPI 3.0 `nullable` into JSON Schema."""
    assert depth < 40, "reference cycle"
    if isinstance(node, list):
        return [resolve(n, doc_name, depth) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target, _, pointer = node["$ref"].partition("#")
        target_doc = doc_name if not target else os.path.splitext(os.path.basename(target))[0]
        value = load(target_doc)
        for part in pointer.strip("/").split("/"):
            value = value[part]
        return resolve(copy.deepcopy(value), target_doc, depth + 1)
    out = {k: resolve(v, doc_name, depth) for k, v in node.items() if k not in ("example", "nullable")}
    if node.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    return out


def response_schema(doc_name, path, method, status):
    op = load(doc_name)["paths"][path][method]
    content = op["responses"][str(status)].get("content")
    assert content, f"{method.upper()} {path} {status} has no schema in the official file"
    return resolve(content["application/json"]["schema"], doc_name)


def component(doc_name, name):
    return resolve(load(doc_name)["components"]["schemas"][name], doc_name)


def validate(instance, schema):
    jsonschema.Draft7Validator(schema).validate(instance)


@pytest.fixture(scope="module")
def sandbox():
    args = [BIN, "sandbox", "--port", "0", "--seed", "3", "--locations", "2", "--contacts", "150",
            "--opportunities", "60", "--orders", "40", "--transactions", "50", "--reviews", "30"]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    locations = []
    base = None
    for line in proc.stdout:
        m = re.match(r"location (\S+) token (\S+)$", line.strip())
        if m:
            locations.append((m.group(1), m.group(2)))
        m = re.match(r"listening on (http://127\.0\.0\.1:\d+)$", line.strip())
        if m:
            base = m.group(1)
            break
    assert base and len(locations) == 2, "sandbox did not start"
    yield {"base": base, "locations": locations}
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0


def call(sb, method, path, token=None, version="2021-07-28", body=None, form=None):
    headers = {}
    if token:
        headers["Authorization"] = "Bearer " + token
    if version:
        headers["Version"] = version
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    req = urllib.request.Request(sb["base"] + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=20) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_contacts_search(sandbox):
    loc, token = sandbox["locations"][0]
    contact_schemas = [component("contacts", "ContactsSearchSchema"), component("contacts", "GetContectByIdSchema")]
    seen = 0
    cursor = None
    while True:
        body = {"locationId": loc, "pageLimit": 40}
        if cursor:
            body["searchAfter"] = cursor
        status, page = call(sandbox, "POST", "/contacts/search", token, body=body)
        assert status == 200
        # POST /contacts/search documents no response schema; its contacts are the same
        # objects as ContactsSearchSuccessfulResponseDto's.
        validate({"contacts": page["contacts"], "count": page["total"]},
                 component("contacts", "ContactsSearchSuccessfulResponseDto"))
        for contact in page["contacts"]:
            for schema in contact_schemas:
                validate(contact, schema)
        seen += len(page["contacts"])
        if len(page["contacts"]) < 40:
            break
        cursor = page["contacts"][-1]["searchAfter"]
    assert seen == 150


def test_contacts_deprecated_list(sandbox):
    loc, token = sandbox["locations"][0]
    schema = response_schema("contacts", "/contacts/", "get", 200)
    status, page = call(sandbox, "GET", f"/contacts/?locationId={loc}&limit=100", token)
    assert status == 200
    validate(page, schema)
    validate(page["meta"], component("contacts", "ContactsMetaSchema"))
    for contact in page["contacts"]:
        validate(contact, component("contacts", "GetContectByIdSchema"))


def test_opportunities_search(sandbox):
    loc, token = sandbox["locations"][0]
    schema = response_schema("opportunities", "/opportunities/search", "get", 200)
    query = f"/opportunities/search?location_id={loc}&limit=25"
    total = 0
    while True:
        status, page = call(sandbox, "GET", query, token)
        assert status == 200
        validate(page, schema)
        total += len(page["opportunities"])
        meta = page["meta"]
        if "startAfter" not in meta:
            break
        query = f"/opportunities/search?location_id={loc}&limit=25&startAfter={meta['startAfter']}&startAfterId={meta['startAfterId']}"
    assert total == 60


def test_opportunities_search_post(sandbox):
    """POST /opportunities/search (search-opportunities-advanced): the GET list's records, paged
    by searchAfter, filtered by GHL's snake_case fields (public docs), 422 on bad input."""
    loc, token = sandbox["locations"][0]
    schema = response_schema("opportunities", "/opportunities/search", "post", 200)
    status, listed = call(sandbox, "GET", f"/opportunities/search?location_id={loc}&limit=100", token)
    assert status == 200
    seen = []
    cursor = None
    while True:
        body = {"locationId": loc, "limit": 25, "sort": [{"field": "date_added", "direction": "asc"}]}
        if cursor:
            body["searchAfter"] = cursor
        status, page = call(sandbox, "POST", "/opportunities/search", token, body=body)
        assert status == 200
        validate(page, schema)
        assert page["total"] == 60
        seen += page["opportunities"]
        if len(page["opportunities"]) < 25:
            break
        cursor = page["opportunities"][-1]["searchAfter"]
    assert [{k: v for k, v in o.items() if k != "searchAfter"} for o in seen] == listed["opportunities"]

    status, won = call(sandbox, "POST", "/opportunities/search", token, body={
        "locationId": loc, "limit": 500, "filters": [{"field": "status", "operator": "eq", "value": "won"}]})
    assert status == 200
    validate(won, schema)
    assert [o["id"] for o in won["opportunities"]] == [o["id"] for o in listed["opportunities"] if o["status"] == "won"]

    status, body = call(sandbox, "POST", "/opportunities/search", token, body={"locationId": loc, "limit": 501})
    assert status == 422
    validate(body, response_schema("opportunities", "/opportunities/search", "post", 422))


def test_pipelines(sandbox):
    loc, token = sandbox["locations"][0]
    status, body = call(sandbox, "GET", f"/opportunities/pipelines?locationId={loc}", token)
    assert status == 200
    validate(body, response_schema("opportunities", "/opportunities/pipelines", "get", 200))
    assert all(stage.keys() >= {"id", "name", "position"} for p in body["pipelines"] for stage in p["stages"])


@pytest.mark.parametrize("path,total", [("orders", 40), ("transactions", 50)])
def test_payments(sandbox, path, total):
    loc, token = sandbox["locations"][1]
    schema = response_schema("payments", f"/payments/{path}", "get", 200)
    status, page = call(sandbox, "GET", f"/payments/{path}?altId={loc}&altType=location&limit=100&offset=0", token)
    assert status == 200
    validate(page, schema)
    assert page["totalCount"] == total == len(page["data"])


def test_reviews(sandbox):
    loc, token = sandbox["locations"][0]
    status, page = call(sandbox, "GET", f"/products/reviews?altId={loc}&altType=location&limit=100&offset=0", token)
    assert status == 200
    validate(page, response_schema("products", "/products/reviews", "get", 200))
    # The spec gives no review item schema; the editable fields' types come from UpdateProductReviewDto.
    review_fields = component("products", "UpdateProductReviewDto")
    review_fields.pop("required")
    for review in page["data"]:
        validate(review, review_fields)
    assert page["total"] == 30


def test_location(sandbox):
    loc, token = sandbox["locations"][0]
    status, body = call(sandbox, "GET", f"/locations/{loc}", token)
    assert status == 200
    validate(body, response_schema("locations", "/locations/{locationId}", "get", 200))


def test_oauth_token(sandbox):
    loc, _ = sandbox["locations"][0]
    with urllib.request.urlopen(sandbox["base"] + "/_sandbox/locations") as resp:
        refresh = [l["refreshToken"] for l in json.loads(resp.read()) if l["locationId"] == loc][0]
    form = {"client_id": "sandbox-client", "client_secret": "sandbox-secret", "grant_type": "refresh_token",
            "refresh_token": refresh, "user_type": "Location"}
    status, body = call(sandbox, "POST", "/oauth/token", version=None, form=form)
    assert status == 200
    validate(body, response_schema("oauth", "/oauth/token", "post", 200))
    status, body = call(sandbox, "POST", "/oauth/token", version=None, form=form)
    assert status == 401
    validate(body, response_schema("oauth", "/oauth/token", "post", 401))


def test_agency_oauth(sandbox):
    with urllib.request.urlopen(sandbox["base"] + "/_sandbox/agency") as resp:
        agency = json.loads(resp.read())
    form = {"client_id": "sandbox-client", "client_secret": "sandbox-secret", "grant_type": "refresh_token",
            "refresh_token": agency["refreshToken"], "user_type": "Company"}
    status, body = call(sandbox, "POST", "/oauth/token", version=None, form=form)
    assert status == 200 and body["userType"] == "Company"
    validate(body, response_schema("oauth", "/oauth/token", "post", 200))
    company = body["access_token"]
    status, body = call(sandbox, "GET", f"/oauth/installedLocations?companyId={agency['companyId']}&appId=sandbox&isInstalled=true",
                        company)
    assert status == 200 and len(body["locations"]) == 2
    validate(body, response_schema("oauth", "/oauth/installedLocations", "get", 200))
    location = body["locations"][0]["_id"]
    status, body = call(sandbox, "POST", "/oauth/locationToken", company,
                        form={"companyId": agency["companyId"], "locationId": location})
    assert status == 200 and body["locationId"] == location
    validate(body, response_schema("oauth", "/oauth/locationToken", "post", 200))
    status, body = call(sandbox, "GET", f"/locations/search?companyId={agency['companyId']}", company)
    assert status == 200 and len(body["locations"]) == 2
    validate(body, response_schema("locations", "/locations/search", "get", 200))


def test_error_bodies(sandbox):
    loc, token = sandbox["locations"][0]
    path = f"/payments/orders?altId={loc}&altType=location"
    status, body = call(sandbox, "GET", path, token=None)
    assert status == 401
    validate(body, response_schema("payments", "/payments/orders", "get", 401))
    status, body = call(sandbox, "GET", path, token, version=None)
    assert status == 400
    validate(body, response_schema("payments", "/payments/orders", "get", 400))
    status, body = call(sandbox, "GET", path + "&limit=500", token)
    assert status == 422
    validate(body, response_schema("payments", "/payments/orders", "get", 422))
