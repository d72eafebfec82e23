"""The dashboard and the file's change log, in a real headless Chromium.

A sandbox, `ghlsync serve` and separate `ghlsync sync` processes on one file:
the page updates for a change synced by the other process, and after `serve`
restarts (with a change synced while it was down) it resumes from its last
seq without a reload: a marker set on `window` survives and the rejoin
reports `resumed`.
"""

import os
import subprocess
import uuid

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from test_dashboard_browser import BINARY, Process, card_value, chrome, free_port, sandbox_call

TOKEN = "pit-browser-resume"
PASSWORD = "resume-password-1"

def ghlsync(*args, env=None):
    result = subprocess.run([BINARY, *args], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, f"ghlsync {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout.strip().splitlines()[-1]


# Records every join reply's `response.ghlsync` ({seq, resumed}) of the sockets the page opens from now on.
RECORD_JOINS = """
const Original = window.WebSocket;
window.__joins = [];
window.WebSocket = class extends Original {
  constructor(...args) {
    super(...args);
    this.addEventListener('message', (e) => {
      const message = JSON.parse(e.data);
      if (message.event === 'phx_reply' && message.payload?.response?.ghlsync) window.__joins.push(message.payload.response.ghlsync);
    });
  }
};
"""


def test_a_sync_in_another_process_reaches_the_page_which_resumes_after_serve_restarts(tmp_path):
    db = str(tmp_path / "resume.sqlite")
    env = dict(os.environ, GHL_TOKEN=TOKEN, OWNER_PASSWORD=PASSWORD)
    sandbox = Process(["sandbox", "--port", "0", "--token", TOKEN, "--contacts", "30", "--opportunities", "5",
                       "--orders", "3", "--transactions", "3", "--reviews", "3"], r"listening on http://")
    serve = None
    driver = None
    try:
        sandbox_url = sandbox.find(r"listening on (http://\S+)").group(1).rstrip("/")
        location = sandbox.find(r"location (\S+) token").group(1)
        ghlsync("init", "--db", db)
        source = ghlsync("sources", "add", "--db", db, "--name", "Resume", "--location-id", location,
                         "--api-base", sandbox_url, "--token-env", "GHL_TOKEN")
        email = "owner@example.com"
        ghlsync("users", "add", "--db", db, "--email", email, "--password-env", "OWNER_PASSWORD", env=env)
        ghlsync("users", "grant", "--db", db, "--user", email, "--source", source, "--role", "owner")
        port = free_port()
        serve_args = ["serve", "--db", db, "--port", str(port)]
        serve = Process(serve_args, r"^dashboard http://")

        driver = chrome()
        wait = WebDriverWait(driver, 30)
        driver.get(f"http://127.0.0.1:{port}/")
        wait.until(EC.visibility_of_element_located((By.ID, "signin-email"))).send_keys(email)
        driver.find_element(By.ID, "signin-password").send_keys(PASSWORD)
        driver.find_element(By.ID, "signin-submit").click()
        wait.until(lambda d: d.find_element(By.ID, "conn-state").get_attribute("data-state") == "connected")
        driver.execute_script("window.__noReload = 'still here'")

        # A sync by another process: its commits reach serve through the file's change log.
        ghlsync("sync", "--db", db, "--source", source, env=env)
        wait.until(lambda d: card_value(d, "card-contacts").replace(",", "").strip().startswith("30"))
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#contacts-table tbody tr[data-id]"))
        assert driver.execute_script("return window.__noReload") == "still here"

        # serve stops; a contact is created in GHL and synced while it is down.
        driver.execute_script(RECORD_JOINS)
        assert serve.stop() == 0, "\n".join(serve.lines[-20:])
        wait.until(lambda d: d.find_element(By.ID, "conn-state").get_attribute("data-state") != "connected")
        marker = "Resume" + uuid.uuid4().hex[:6]
        sandbox_call(sandbox_url, "POST", f"/_sandbox/records/{location}/contacts",
                     {"firstName": "Selenium", "lastName": marker, "email": f"{marker.lower()}@example.com"})
        ghlsync("sync", "--db", db, "--source", source, env=env)

        # serve is back on the same port: the page rejoins from its last seq and gets the missed change.
        serve = Process(serve_args, r"^dashboard http://")
        WebDriverWait(driver, 60).until(lambda d: marker in d.find_element(By.ID, "contacts-table").text)
        assert driver.execute_script("return window.__noReload") == "still here"
        joins = driver.execute_script("return window.__joins")
        assert joins and all(join["resumed"] is True for join in joins), joins
    finally:
        if driver:
            driver.quit()
        if serve:
            serve.stop()
        sandbox.stop()
