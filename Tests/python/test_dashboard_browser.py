"""The demo dashboard in a real headless Chromium.

Starts `ghlsync demo --port <free>`, signs in as the demo owner, checks the
figures are filled, presses Pull Latest, then makes a change in the sandbox
through its admin API and waits for it to appear on the page without a
reload. Saves screenshots to artifacts/ at the package root.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
BINARY = os.environ.get("GHLSYNC_BIN", str(ROOT / ".build" / "debug" / "ghlsync"))
ARTIFACTS = ROOT / "artifacts"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Process:
    """A long-running ghlsync subprocess whose output lines are collected; ready once a line matches `ready`."""

    def __init__(self, args, ready, env=None, timeout=120):
        self.lines = []
        self.ready = threading.Event()
        self.pattern = re.compile(ready)
        self.process = subprocess.Popen([BINARY, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                        bufsize=1, env=env)
        threading.Thread(target=self._read, daemon=True).start()
        if not self.ready.wait(timeout):
            self.stop()
            pytest.fail(f"{args[0]} did not start:\n" + "\n".join(self.lines))

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            if self.pattern.search(line):
                self.ready.set()

    def find(self, pattern):
        for line in self.lines:
            match = re.search(pattern, line)
            if match:
                return match
        raise AssertionError(f"no line matches {pattern!r} in:\n" + "\n".join(self.lines))

    def stop(self):
        return interrupt(self.process)


class Demo(Process):
    """`ghlsync demo` as a subprocess, with the lines it prints parsed."""

    def __init__(self, tmp_path):
        self.port = free_port()
        super().__init__(["demo", "--port", str(self.port), "--db", str(tmp_path / "demo.sqlite")], r"^dashboard http://",
                         timeout=240)

    @property
    def dashboard_url(self):
        return self.find(r"^dashboard (http://\S+)").group(1)

    @property
    def sandbox_url(self):
        return self.find(r"^sandbox (http://\S+)").group(1).rstrip("/")

    def sign_in(self, role):
        match = self.find(rf"sign in as {role}: (\S+) password (\S+)")
        return match.group(1), match.group(2)


def interrupt(process):
    """Stops `process` as Ctrl-C would (killed after 30 s); returns its exit code."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def sandbox_call(base, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


def chrome():
    options = webdriver.ChromeOptions()
    options.add_argument("--headless=new")
    options.add_argument("--no-sandbox")
    options.add_argument("--disable-dev-shm-usage")
    options.add_argument("--window-size=1440,1100")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # CSP violations are console errors
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary:
        options.binary_location = binary
    driver_path = shutil.which("chromedriver")
    service = Service(driver_path) if driver_path else Service()
    return webdriver.Chrome(options=options, service=service)


@pytest.fixture
def demo(tmp_path):
    demo = Demo(tmp_path)
    yield demo
    assert demo.stop() == 0, "demo did not stop cleanly on SIGINT:\n" + "\n".join(demo.lines[-20:])


def full_page_screenshot(driver, width, path):
    """The whole page at `width` CSS pixels: the window grows to the page's height."""
    driver.set_window_size(width, 1000)
    time.sleep(0.3)  # relayout at the new width
    height = driver.execute_script("return document.documentElement.scrollHeight")
    chrome_height = driver.execute_script("return window.outerHeight - window.innerHeight")
    driver.set_window_size(width, height + chrome_height)
    time.sleep(0.5)  # let the bar transitions settle before the picture
    driver.save_screenshot(str(path))


def refresh_cookie(driver):
    """The dashboard's refresh cookie as the browser holds it (its path,
    /auth/v1, hides it from WebDriver's per-page cookie calls)."""
    cookies = driver.execute_cdp_cmd("Network.getAllCookies", {})["cookies"]
    return next((c for c in cookies if c["name"] == "ghlsync_refresh"), None)


def card_value(driver, card):
    return driver.find_element(By.CSS_SELECTOR, f"#{card} .value").text


def test_dashboard_signs_in_pulls_and_updates_live(demo):
    ARTIFACTS.mkdir(exist_ok=True)
    driver = chrome()
    wait = WebDriverWait(driver, 30)
    try:
        driver.get(demo.dashboard_url)
        email, password = demo.sign_in("owner")
        wait.until(EC.visibility_of_element_located((By.ID, "signin-email"))).send_keys(email)
        driver.find_element(By.ID, "signin-password").send_keys(password)
        driver.find_element(By.ID, "signin-submit").click()

        # Non-empty figures in every widget.
        wait.until(lambda d: re.search(r"[1-9]", card_value(d, "card-contacts")))
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#contacts-table tbody tr[data-id]"))
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#pipeline .stage"))
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#revenue-chart svg rect"))
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#sync-status tr[data-entity]"))
        assert re.search(r"\d", card_value(driver, "card-pipeline"))
        assert re.search(r"\d", card_value(driver, "card-revenue"))
        assert "★" in card_value(driver, "card-rating")
        wait.until(lambda d: d.find_element(By.ID, "conn-state").get_attribute("data-state") == "connected")

        # The strict Content-Security-Policy holds: no violation reported, bars sized through the CSSOM.
        widths = driver.execute_script("return [...document.querySelectorAll('#pipeline .bar > span')].map((s) => s.style.width)")
        assert widths and all(w.endswith("%") for w in widths), widths
        violations = [e["message"] for e in driver.get_log("browser") if "Content Security Policy" in e["message"]]
        assert not violations, violations

        # Pull Latest runs run-all and reports the outcome.
        driver.find_element(By.ID, "pull-latest").click()
        wait.until(lambda d: re.match(r"Sync completed: \d+ succeeded, \d+ failed", d.find_element(By.ID, "sync-message").text))
        assert driver.find_element(By.ID, "sync-message").text == "Sync completed: 6 succeeded, 0 failed"

        # A contact created in the sandbox reaches the page by webhook + realtime, without a reload.
        driver.execute_script("window.__noReload = 'still here'")
        source_id = driver.execute_script("return document.body.dataset.source")
        user = driver.execute_async_script("""
            const done = arguments[arguments.length - 1];
            fetch('/auth/v1/token?grant_type=password', {method: 'POST', headers: {'Content-Type': 'application/json'},
                  body: JSON.stringify({email: arguments[0], password: arguments[1]})})
              .then(r => r.json())
              .then(s => fetch('/auth/v1/user', {headers: {Authorization: 'Bearer ' + s.access_token}}))
              .then(r => r.json()).then(done);""", email, password)
        user["sources"] = user["app_metadata"]["sources"]
        location = next(s["location_id"] for s in user["sources"] if s["id"] == source_id)
        marker = "Realtime" + uuid.uuid4().hex[:6]
        created = sandbox_call(demo.sandbox_url, "POST", f"/_sandbox/records/{location}/contacts",
                               {"firstName": "Selenium", "lastName": marker, "email": f"{marker.lower()}@example.com"})
        WebDriverWait(driver, 20).until(
            lambda d: marker in d.find_element(By.ID, "contacts-table").text)
        assert driver.execute_script("return window.__noReload") == "still here"
        # Deleted in GHL: its DELETE broadcast takes the row off the page, still without a reload.
        sandbox_call(demo.sandbox_url, "DELETE", f"/_sandbox/records/{location}/contacts/{created['id']}")
        WebDriverWait(driver, 20).until(
            lambda d: marker not in d.find_element(By.ID, "contacts-table").text)
        assert driver.execute_script("return window.__noReload") == "still here"

        full_page_screenshot(driver, 1440, ARTIFACTS / "dashboard.png")
        full_page_screenshot(driver, 390, ARTIFACTS / "dashboard-phone.png")

        # No token is readable by the page's scripts: the access token is in
        # memory only, the refresh token in an HttpOnly cookie that survives a reload.
        assert driver.execute_script("return JSON.stringify(Object.assign({}, localStorage))").count("eyJ") == 0
        assert "ghlsync_refresh" not in driver.execute_script("return document.cookie")
        cookie = refresh_cookie(driver)
        assert cookie and cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/auth/v1"
        driver.refresh()
        wait.until(lambda d: re.search(r"[1-9]", card_value(d, "card-contacts")))
        assert not driver.find_element(By.ID, "signin").is_displayed()

        # Signing out ends the session on the server and clears the cookie: a reload asks to sign in.
        driver.find_element(By.ID, "signout").click()
        wait.until(EC.visibility_of_element_located((By.ID, "signin-email")))
        assert refresh_cookie(driver) is None
        driver.refresh()
        wait.until(EC.visibility_of_element_located((By.ID, "signin-email")))
    finally:
        driver.quit()


def test_viewer_has_no_pull_latest(demo):
    driver = chrome()
    wait = WebDriverWait(driver, 30)
    try:
        driver.get(demo.dashboard_url)
        email, password = demo.sign_in("viewer")
        wait.until(EC.visibility_of_element_located((By.ID, "signin-email"))).send_keys(email)
        driver.find_element(By.ID, "signin-password").send_keys(password)
        driver.find_element(By.ID, "signin-submit").click()
        wait.until(lambda d: re.search(r"[1-9]", card_value(d, "card-contacts")))
        assert not driver.find_element(By.ID, "pull-latest").is_displayed()
        # One source: the switcher offers it alone, no "All my sources".
        driver.find_element(By.ID, "source-find").click()
        wait.until(lambda d: d.find_element(By.ID, "source-list").is_displayed())
        options = driver.find_elements(By.CSS_SELECTOR, "#source-list [role=option]")
        assert len(options) == 1 and "All my sources" not in options[0].text
    finally:
        driver.quit()
