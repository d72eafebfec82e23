"""The dashboard for an agency owner of 201 sources, in headless Chromium.

A sandbox serves 200 small locations; `ghlsync sync --all` brings them into
one file (plus a 201st source whose location the sandbox does not know, so
its sync fails). The owner signs in to `ghlsync serve`, finds sources in the
switcher by typing, and opens "All my sources": one row per location whose
figures equal the reporting view's, sortable, with each sync's health.
"""

import json
import os
import re
import subprocess
import time
import urllib.request

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from test_dashboard_browser import ARTIFACTS, BINARY, Process, card_value, chrome, free_port

LOCATIONS = 200
TOKEN = "pit-agency-dashboard"
PASSWORD = "agency-owner-pw"
EMAIL = "owner@agency.example"
# Extra contacts made in the sandbox for the first few locations, so the
# contacts column has a clear order to sort by.
EXTRA_CONTACTS = {0: 4, 1: 1, 2: 7}


def ghlsync(*args, env=None, timeout=600):
    result = subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=timeout,
                            env={**os.environ, **(env or {})})
    return result


def call(method, url, body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")

@pytest.fixture(scope="module")
def agency(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("agency")
    sandbox = Process(["sandbox", "--port", "0", "--locations", str(LOCATIONS), "--contacts", "3",
                       "--opportunities", "2", "--orders", "1", "--transactions", "1", "--reviews", "1",
                       "--token", TOKEN, "--rate-limit", "1000/1"], r"^listening on ")
    serve = None
    try:
        base = next(l.split()[-1] for l in sandbox.lines if l.startswith("listening on ")).rstrip("/")
        locations = [l.split()[1] for l in sandbox.lines if re.match(r"^location \S+ token ", l)]
        assert len(locations) == LOCATIONS
        for index, extra in EXTRA_CONTACTS.items():
            for n in range(extra):
                call("POST", f"{base}/_sandbox/records/{locations[index]}/contacts",
                     {"firstName": "Extra", "lastName": f"Contact{n}", "email": f"extra{index}-{n}@example.com"})

        db = str(tmp / "agency.sqlite")
        env = {"GHL_TOKEN": TOKEN, "OWNER_PW": PASSWORD}
        assert ghlsync("init", "--db", db).returncode == 0
        names, locations_of = {}, {}
        for index, location in enumerate(locations + ["location-the-sandbox-lacks"]):
            name = f"Location {index:03d}" if index < LOCATIONS else "Broken Location"
            added = ghlsync("sources", "add", "--db", db, "--name", name, "--location-id", location,
                            "--api-base", base, "--token-env", "GHL_TOKEN")
            assert added.returncode == 0, added.stderr
            source_id = added.stdout.strip().splitlines()[-1]
            names[source_id] = name
            locations_of[source_id] = location
        synced = ghlsync("sync", "--db", db, "--all", "--mode", "full", env=env)
        assert synced.returncode != 0, "the broken source's failure makes sync --all exit non-zero"
        assert ghlsync("users", "add", "--db", db, "--email", EMAIL, "--password-env", "OWNER_PW",
                       env=env).returncode == 0
        sources = [arg for source_id in names for arg in ("--source", source_id)]
        granted = ghlsync("users", "grant", "--db", db, "--user", EMAIL, *sources, "--role", "owner")
        assert granted.returncode == 0, granted.stderr

        port = free_port()
        serve = Process(["serve", "--db", db, "--port", str(port)], r"^dashboard http://")
        url = f"http://127.0.0.1:{port}"
        session = call("POST", f"{url}/auth/v1/token?grant_type=password", {"email": EMAIL, "password": PASSWORD})
        summary = call("GET", f"{url}/rest/v1/v_ghl_dashboard_summary?limit=1000", token=session["access_token"])
        yield {"url": url, "names": names, "locations": locations_of,
               "summary": {row["source_id"]: row for row in summary}}
    finally:
        if serve:
            serve.stop()
        sandbox.stop()


def sign_in(driver, url):
    driver.get(url + "/")
    wait = WebDriverWait(driver, 30)
    wait.until(EC.visibility_of_element_located((By.ID, "signin-email"))).send_keys(EMAIL)
    driver.find_element(By.ID, "signin-password").send_keys(PASSWORD)
    driver.find_element(By.ID, "signin-submit").click()
    wait.until(EC.visibility_of_element_located((By.ID, "source-find")))
    return wait


def shown_options(driver):
    return [o.text for o in driver.find_elements(By.CSS_SELECTOR, "#source-list [role=option]")]


def test_switcher_finds_one_of_201_sources_by_typing(agency):
    driver = chrome()
    try:
        wait = sign_in(driver, agency["url"])
        find = driver.find_element(By.ID, "source-find")
        find.click()
        wait.until(lambda d: len(shown_options(d)) == len(agency["names"]) + 1)  # and "All my sources"
        assert driver.find_element(By.ID, "source-count").text == f"{len(agency['names']) + 1} of {len(agency['names']) + 1}"

        # Every typed word must match the name or the location id, in any case:
        # "location 13" finds 013 and 130-139, and any whose GHL id holds "13".
        matching = sorted(name for sid, name in agency["names"].items()
                          if all(w in f"{name} owner · {agency['locations'][sid]}".lower() for w in ("location", "13")))
        assert len(matching) >= 11
        find.send_keys("Location 13")
        wait.until(lambda d: len(shown_options(d)) == len(matching))
        options = shown_options(driver)
        assert sorted(o.split(" owner")[0] for o in options) == matching, options
        ARTIFACTS.mkdir(exist_ok=True)
        driver.save_screenshot(str(ARTIFACTS / "agency-switcher.png"))
        third = options[2].split(" owner")[0]
        find.send_keys(Keys.ARROW_DOWN, Keys.ARROW_DOWN, Keys.ENTER)
        wait.until(lambda d: d.find_element(By.ID, "source-title").text == third)
        assert driver.find_element(By.ID, "source-find").get_attribute("value") == third
        source_id = driver.execute_script("return document.body.dataset.source")
        assert agency["names"][source_id] == third
        expected = agency["summary"][source_id]["contacts_count"]
        wait.until(lambda d: card_value(d, "card-contacts") == str(expected))

        # Escape puts the current choice back; nothing matching says so.
        find.click()
        find.send_keys("no such place")
        wait.until(lambda d: "No source matches." in d.find_element(By.ID, "source-list").text)
        find.send_keys(Keys.ESCAPE)
        assert driver.find_element(By.ID, "source-find").get_attribute("value") == third
        assert not driver.find_element(By.ID, "source-list").is_displayed()
    finally:
        driver.quit()


def table(driver):
    """The sources table's rows as the page shows them, read in one step (it redraws as data arrives)."""
    return driver.execute_script("""
        return [...document.querySelectorAll('#sources-table tbody tr[data-source-row]')].map((tr) => ({
          id: tr.dataset.sourceRow,
          name: tr.querySelector('button[data-source]').textContent,
          contacts: tr.querySelector('td[data-col=contacts]').textContent,
          health: tr.querySelector('td[data-col=health]').textContent.trim(),
        }));""")


def click(driver, by, selector):
    """Clicks what `selector` finds now: the table redraws when new figures arrive."""
    WebDriverWait(driver, 10, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: d.find_element(by, selector).click() or True)


def sorted_by(driver):
    return driver.execute_script("""
        const th = document.querySelector('#sources-table th:not([aria-sort=none])');
        return th ? [th.querySelector('button').dataset.sort, th.getAttribute('aria-sort')] : null;""")


def test_all_my_sources_lists_every_location_sortable_with_health(agency):
    driver = chrome()
    try:
        wait = sign_in(driver, agency["url"])
        find = driver.find_element(By.ID, "source-find")
        find.click()
        find.send_keys("all my", Keys.ENTER)
        wait.until(lambda d: d.find_element(By.ID, "source-title").text == "All my sources")
        wait.until(lambda d: len(table(d)) == len(agency["names"]))
        assert not driver.find_element(By.ID, "sync-panel").is_displayed()

        # Health first by default: the one failing source leads, every other is ok.
        wait.until(lambda d: [r["health"] for r in table(d)].count("ok") == LOCATIONS)
        rows = table(driver)
        assert rows[0]["name"] == "Broken Location" and rows[0]["health"] == "failing"

        # Every row's contacts equal the reporting view's.
        for row in rows:
            assert row["contacts"] == f"{agency['summary'][row['id']]['contacts_count']:,}", row

        # Sort by contacts: descending first, then ascending on a second click.
        click(driver, By.CSS_SELECTOR, "#sources-table button[data-sort=contacts]")
        wait.until(lambda d: sorted_by(d) == ["contacts", "descending"])
        rows = table(driver)
        counts = [int(r["contacts"].replace(",", "")) for r in rows]
        assert counts == sorted(counts, reverse=True) and counts[0] > counts[-1], counts[:5]
        top = max(EXTRA_CONTACTS, key=EXTRA_CONTACTS.get)
        assert rows[0]["name"] == f"Location {top:03d}"
        ARTIFACTS.mkdir(exist_ok=True)
        driver.save_screenshot(str(ARTIFACTS / "agency-all-sources.png"))
        click(driver, By.CSS_SELECTOR, "#sources-table button[data-sort=contacts]")
        wait.until(lambda d: sorted_by(d) == ["contacts", "ascending"])
        counts = [int(r["contacts"].replace(",", "")) for r in table(driver)]
        assert counts == sorted(counts)

        # A location's name opens its dashboard.
        click(driver, By.XPATH, "//*[@id='sources-table']//button[@data-source][text()='Location 002']")
        wait.until(lambda d: d.find_element(By.ID, "source-title").text == "Location 002")
        assert not driver.find_element(By.ID, "sources-panel").is_displayed()
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#sync-status tr[data-entity]"))
    finally:
        driver.quit()
