"""The real Python `realtime` client (PyPI, the one supabase-py uses) against
ghlsync's Supabase-Realtime-compatible WebSocket.

It checks what a Supabase app relies on: a private channel `ghl:{source_id}`
joined with an access token reaches SUBSCRIBED, `on_broadcast("UPDATE", ...)`
receives a contact's change with `{table, operation, old, new, timestamp, seq,
source_id}`, and a join for a source the user lacks ends in CHANNEL_ERROR.

`test_realtime_py_through_serve` drives the product: `ghlsync serve` on a
database synced from the built-in sandbox, a user granted one of two sources,
and a contact changed in the sandbox then synced. `test_realtime_py_protocol`
drives the realtime endpoint alone through the hidden `ghlsync
realtime-fixture` command (real GHLAuth tokens and grants, contact changes
committed on its stdin), so the protocol is checked even without a sync.
"""

import asyncio
import json
import os
import re
import subprocess
import threading
import urllib.request
from pathlib import Path

from realtime import AsyncRealtimeClient, RealtimeSubscribeStates

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("GHLSYNC_BIN", str(ROOT / ".build" / "debug" / "ghlsync"))
TIMEOUT = 30
PRIVATE = {"config": {"broadcast": {"ack": False, "self": False},
                      "presence": {"key": "", "enabled": False}, "private": True}}


def ghlsync(*args, env=None):
    """Runs a ghlsync command and returns its stdout lines."""
    result = subprocess.run([BIN, *args], capture_output=True, text=True, timeout=120,
                            env={**os.environ, **(env or {})})
    assert result.returncode == 0, f"ghlsync {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout.strip().splitlines()


class Running:
    """A ghlsync process started for a test, ready once a stdout line matches `ready`."""

    def __init__(self, args, ready, env=None):
        self.process = subprocess.Popen([BIN, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True, bufsize=1,
                                        env={**os.environ, **(env or {})})
        self.lines = []
        found = threading.Event()
        self.match = None

        def read():
            for line in self.process.stdout:
                self.lines.append(line.rstrip())
                if self.match is None and (match := re.search(ready, line)):
                    self.match = match
                    found.set()
            found.set()

        threading.Thread(target=read, daemon=True).start()
        if not found.wait(TIMEOUT) or self.match is None:
            self.stop()
            raise AssertionError(f"ghlsync {' '.join(args)} never printed /{ready}/:\n" + "\n".join(self.lines))

    def send(self, line):
        """Writes a command line to the process and waits for its `ok`."""
        count = len(self.lines)
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        for _ in range(TIMEOUT * 20):
            if any(l == "ok" for l in self.lines[count:]):
                return
            if self.process.poll() is not None:
                break
            threading.Event().wait(0.05)
        raise AssertionError(f"no ok for {line!r}:\n" + "\n".join(self.lines))

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


async def check_realtime(url, token, own_source, other_source, change):
    """Joins own and other source as a Supabase app would; `change` must make
    one contact of `own_source` change through the server."""
    client = AsyncRealtimeClient(url, token=token, auto_reconnect=False)
    await client.connect()
    try:
        updates = asyncio.Queue()
        own = client.channel(f"ghl:{own_source}", PRIVATE)
        own.on_broadcast("UPDATE", updates.put_nowait)
        states = []
        await own.subscribe(lambda state, error: states.append((state, error)))
        assert states == [(RealtimeSubscribeStates.SUBSCRIBED, None)]

        other = client.channel(f"ghl:{other_source}", PRIVATE)
        other_states = []
        await other.subscribe(lambda state, error: other_states.append((state, error)))
        assert other_states[0][0] == RealtimeSubscribeStates.CHANNEL_ERROR
        assert "Unauthorized" in str(other_states[0][1])
        await other.unsubscribe()

        await asyncio.get_running_loop().run_in_executor(None, change)
        update = await asyncio.wait_for(updates.get(), TIMEOUT)
        assert update["event"] == "UPDATE"
        row = update["payload"]
        assert row["table"] == "ghl_contacts" and row["operation"] == "UPDATE"
        assert row["source_id"] == own_source
        assert row["old"]["source_id"] == own_source and row["new"]["source_id"] == own_source
        assert row["old"]["raw"] != row["new"]["raw"]
        assert isinstance(row["seq"], int) and row["timestamp"]
        # Nothing of the other source arrived on this channel.
        while not updates.empty():
            assert updates.get_nowait()["payload"]["source_id"] == own_source
    finally:
        await client.close()


def test_realtime_py_protocol(tmp_path):
    db = str(tmp_path / "ghl.sqlite")
    ghlsync("init", "--db", db)
    source_a = ghlsync("sources", "add", "--db", db, "--name", "A", "--location-id", "loc-a", "--token-env", "GHL_A")[-1]
    source_b = ghlsync("sources", "add", "--db", db, "--name", "B", "--location-id", "loc-b", "--token-env", "GHL_B")[-1]
    ghlsync("users", "add", "--db", db, "--email", "alice@example.com", "--password-env", "ALICE_PASSWORD",
            env={"ALICE_PASSWORD": "correct horse battery"})
    ghlsync("users", "grant", "--db", db, "--user", "alice@example.com", "--source", source_a, "--role", "viewer")
    access = ghlsync("users", "token", "--db", db, "--user", "alice@example.com")[-1]
    fixture = Running(["realtime-fixture", "--db", db, "--port", "0"], r"realtime (http://127\.0\.0\.1:\d+/realtime/v1)")
    try:
        fixture.send(f"upsert {source_a} contact-1 Ada")
        asyncio.run(check_realtime(fixture.match.group(1), access, source_a, source_b,
                                   lambda: fixture.send(f"upsert {source_a} contact-1 Grace")))
    finally:
        fixture.stop()


def test_realtime_py_through_serve(tmp_path):
    db = str(tmp_path / "ghl.sqlite")
    token = "sandbox-interop-token"
    env = {"GHL_TOKEN": token, "ALICE_PASSWORD": "correct horse battery"}
    ghlsync("init", "--db", db)
    sandbox = Running(["sandbox", "--port", "0", "--locations", "2", "--fixed-token", token],
                      r"(http://127\.0\.0\.1:\d+)")
    server = None
    try:
        api = sandbox.match.group(1)
        locations = [l["id"] for l in ghl(api, token, "GET", "/locations/search")["locations"]][:2]
        source_a, source_b = (ghlsync("sources", "add", "--db", db, "--name", f"L{i}", "--location-id", loc,
                                      "--api-base", api, "--token-env", "GHL_TOKEN")[-1]
                              for i, loc in enumerate(locations))
        ghlsync("users", "add", "--db", db, "--email", "alice@example.com", "--password-env", "ALICE_PASSWORD", env=env)
        ghlsync("users", "grant", "--db", db, "--user", "alice@example.com", "--source", source_a, "--role", "viewer")
        server = Running(["serve", "--db", db, "--port", "0"], r"dashboard (http://127\.0\.0\.1:\d+)/", env=env)
        base = server.match.group(1)
        access = ghlsync("users", "token", "--db", db, "--user", "alice@example.com")[-1]
        sync = lambda: http(base, access, "POST", "/functions/v1/run-ghl-all", {"source_id": source_a, "mode": "full"})
        assert sync()["ok"] is True

        def change():
            contact = ghl(api, token, "POST", "/contacts/search",
                          {"locationId": locations[0], "pageLimit": 1, "page": 1})["contacts"][0]
            ghl(api, token, "PUT", f"/contacts/{contact['id']}", {"firstName": "Interop", "lastName": "Updated"})
            assert sync()["ok"] is True

        asyncio.run(check_realtime(f"{base}/realtime/v1", access, source_a, source_b, change))
    finally:
        if server:
            server.stop()
        sandbox.stop()


def http(base, token, method, path, body=None, headers=None):
    request = urllib.request.Request(base + path, method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                                              **(headers or {})})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
        return json.loads(response.read() or b"{}")


def ghl(base, token, method, path, body=None):
    """A call to the GHL API v2 as the sandbox emulates it."""
    return http(base, token, method, path, body, {"Version": "2021-07-28"})
