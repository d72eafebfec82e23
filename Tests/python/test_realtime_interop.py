"""The real Python `realtime` client (PyPI, the one supabase-py uses) against
ghlsync's Supabase-Realtime-compatible WebSocket.

It checks what a Supabase app relies on: a private channel `ghl:{source_id}`
joined with an access token reaches SUBSCRIBED, `on_broadcast("UPDATE", ...)`
receives a contact's change with `{table, operation, old, new, timestamp, seq,
source_id}`, and a join for a source the user lacks ends in CHANNEL_ERROR.

It drives the product as a user would: `ghlsync sandbox` with two locations,
`ghlsync serve` on a database registered against it, a user granted one of
the two sources (`ghlsync users add/grant/token`), and a contact changed in
the sandbox, then synced through `/functions/v1/run-ghl-all`.
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

    def __init__(self, args, ready, env=None, binary=None, cwd=None):
        self.process = subprocess.Popen([binary or BIN, *args], stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True, bufsize=1,
                                        env={**os.environ, **(env or {})}, cwd=cwd)
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
        # The sync's own job rows (ghl_sync_jobs) change too; wait for the contact.
        while True:
            update = await asyncio.wait_for(updates.get(), TIMEOUT)
            assert update["event"] == "UPDATE"
            assert update["payload"]["source_id"] == own_source
            if update["payload"]["table"] == "ghl_contacts":
                break
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


def test_realtime_py_through_serve(tmp_path):
    db = str(tmp_path / "ghl.sqlite")
    token = "sandbox-interop-token"
    env = {"GHL_TOKEN": token, "ALICE_PASSWORD": "correct horse battery"}
    ghlsync("init", "--db", db)
    sandbox = Running(["sandbox", "--port", "0", "--locations", "2", "--token", token],
                      r"listening on (http://127\.0\.0\.1:\d+)")
    server = None
    try:
        api = sandbox.match.group(1)
        locations = [re.match(r"location (\S+) token", l).group(1) for l in sandbox.lines if l.startswith("location ")]
        assert len(locations) == 2, sandbox.lines
        source_a, source_b = (ghlsync("sources", "add", "--db", db, "--name", f"L{i}", "--location-id", loc,
                                      "--api-base", api, "--token-env", "GHL_TOKEN")[-1]
                              for i, loc in enumerate(locations))
        ghlsync("users", "add", "--db", db, "--email", "alice@example.com", "--password-env", "ALICE_PASSWORD", env=env)
        ghlsync("users", "grant", "--db", db, "--user", "alice@example.com", "--source", source_a, "--role", "editor")
        server = Running(["serve", "--db", db, "--port", "0"], r"dashboard (http://127\.0\.0\.1:\d+)/", env=env)
        base = server.match.group(1)
        access = ghlsync("users", "token", "--db", db, "--user", "alice@example.com")[-1]
        sync = lambda: http(base, access, "POST", "/functions/v1/run-ghl-all", {"source_id": source_a, "mode": "full"})
        assert sync()["ok"] is True

        def change():
            # Through the sandbox's admin API, as a user editing the contact in GHL would.
            contact = http(api, token, "GET", f"/_sandbox/records/{locations[0]}/contacts")[0]
            http(api, token, "PATCH", f"/_sandbox/records/{locations[0]}/contacts/{contact['id']}",
                 {"firstName": "Interop", "lastName": "Updated"})
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
