"""GHL's official Python SDK (gohighlevel-api-client 3.0.0) against `ghlsync sandbox --agency`:
the agency OAuth calls as the SDK makes them (its own paths, camelCase form keys, `Version: v3`),
so the sandbox serves what official clients really send."""

import asyncio
import os
import re
import signal
import subprocess
import urllib.parse

import httpx
import pytest
from highlevel import HighLevel

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("GHLSYNC_BIN", os.path.join(ROOT, ".build", "debug", "ghlsync"))
CLIENT_ID, CLIENT_SECRET = "sandbox-client", "sandbox-secret"


@pytest.fixture(scope="module")
def agency():
    args = [BIN, "sandbox", "--port", "0", "--locations", "3", "--installed", "2", "--agency",
            "--contacts", "5", "--opportunities", "2", "--orders", "2", "--transactions", "2", "--reviews", "2"]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    found = {"locations": []}
    for line in proc.stdout:
        line = line.strip()
        if m := re.match(r"location (\S+) token \S+$", line):
            found["locations"].append(m.group(1))
        elif m := re.match(r"company (\S+) refresh_token (\S+)$", line):
            found["company"], found["refresh_token"] = m.group(1), m.group(2)
        elif m := re.match(r"listening on (http://127\.0\.0\.1:\d+)$", line):
            found["base"] = m.group(1)
            break
    assert "base" in found and "company" in found, "sandbox did not start or printed no company line"
    yield found
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0


def sdk(base, **tokens):
    """The SDK pointed at the sandbox: its only base URL is the class attribute."""
    return type("SandboxHighLevel", (HighLevel,), {"BASE_URL": base})(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, **tokens)


def test_company_token_installed_locations_and_location_tokens(agency):
    async def run():
        base, company = agency["base"], agency["company"]
        tokens = await sdk(base).oauth.refresh_token(agency["refresh_token"], CLIENT_ID, CLIENT_SECRET, "refresh_token", "Company")
        assert tokens["userType"] == "Company" and tokens["companyId"] == company
        assert "locationId" not in tokens

        ghl = sdk(base, agency_access_token=tokens["access_token"])
        installed = await ghl.oauth.get_installed_location(company_id=company, app_id="sandbox", is_installed=True)
        assert [loc["_id"] for loc in installed["locations"]] == agency["locations"][:2]
        assert all(loc["isInstalled"] for loc in installed["locations"])

        minted = await ghl.oauth.get_location_access_token({"companyId": company, "locationId": agency["locations"][1]})
        assert minted["locationId"] == agency["locations"][1] and "refresh_token" not in minted
        located = sdk(base, location_access_token=minted["access_token"])
        location = await located.locations.get_location(agency["locations"][1])
        location = location if isinstance(location, dict) else location.model_dump()
        assert location["location"]["id"] == agency["locations"][1]

        found = await ghl.locations.search_locations(company_id=company, limit="10")
        found = found if isinstance(found, dict) else found.model_dump()
        assert sorted(loc["id"] for loc in found["locations"]) == sorted(agency["locations"])
    asyncio.run(run())


def test_authorization_code_from_the_choose_location_page(agency):
    async def run():
        base, location = agency["base"], agency["locations"][0]
        redirect = "http://127.0.0.1:9/oauth/callback"
        fields = {"response_type": "code", "client_id": CLIENT_ID, "redirect_uri": redirect, "scope": "contacts.readonly", "state": "xyz"}
        page = httpx.get(base + "/oauth/chooselocation", params=fields)
        assert page.status_code == 200 and f'value="{location}"' in page.text
        chosen = httpx.post(base + "/oauth/chooselocation", data={**fields, "target": location}, follow_redirects=False)
        assert chosen.status_code == 302
        query = urllib.parse.parse_qs(urllib.parse.urlparse(chosen.headers["location"]).query)
        assert query["state"] == ["xyz"]
        tokens = await sdk(base).oauth.get_access_token({
            "clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET, "grantType": "authorization_code",
            "code": query["code"][0], "redirectUri": redirect,
        })
        assert tokens["userType"] == "Location" and tokens["locationId"] == location
    asyncio.run(run())
