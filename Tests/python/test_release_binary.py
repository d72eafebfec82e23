"""The release executable on its own (issue 15): built by ./scripts/release,
no Swift runtime needed, copied alone into an empty folder with every resource
bundle of the build out of reach, it runs the demo and serves the dashboard;
it serves HTTPS and WSS with a certificate made here; anything missing at start
is one clear line and a non-zero exit.

GHLSYNC_RELEASE_BIN names an executable already built by ./scripts/release
(./scripts/test builds it once); without it this module builds one."""

import asyncio
import gzip
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from test_realtime_interop import PRIVATE, TIMEOUT, Running

ROOT = Path(__file__).resolve().parents[2]
IS_ROOT = os.geteuid() == 0
# As root every file is readable and every folder writable: the permission
# cases run the binary as `nobody` instead.
AS_ORDINARY_USER = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if IS_ROOT else []


@pytest.fixture(scope="module")
def release_bin():
    path = os.environ.get("GHLSYNC_RELEASE_BIN")
    if not path:
        built = subprocess.run([str(ROOT / "scripts" / "release")], capture_output=True, text=True, timeout=5400)
        assert built.returncode == 0, built.stderr[-4000:]
        path = built.stdout.strip().splitlines()[-1]
    assert os.access(path, os.X_OK), path
    return path


@pytest.fixture()
def alone(release_bin):
    """The executable copied alone into an empty folder anyone can use, and
    the build folder's resource bundles renamed out of reach meanwhile."""
    folder = Path(tempfile.mkdtemp(prefix="ghlsync-alone-"))
    os.chmod(folder, 0o777)
    copy = folder / "ghlsync"
    shutil.copy(release_bin, copy)
    os.chmod(copy, 0o755)
    # `.build/debug` and `.build/release` are links into `.build/<triple>/`: each bundle counted once.
    bundles = sorted({p.resolve() for pattern in (".build/*/*.resources", ".build/*/*/*.resources")
                      for p in ROOT.glob(pattern) if p.is_dir()})
    hidden = []
    try:
        for bundle in bundles:
            target = bundle.with_name(bundle.name + ".hidden-by-test")
            bundle.rename(target)
            hidden.append((target, bundle))
        yield copy
    finally:
        for target, bundle in hidden:
            target.rename(bundle)
        shutil.rmtree(folder, ignore_errors=True)


def run(binary, *args, env=None, as_user=(), cwd=None):
    return subprocess.run([*as_user, str(binary), *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})}, cwd=cwd)


def fetch(url, headers=None, context=None, data=None):
    request = urllib.request.Request(url, headers=headers or {}, data=data)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT, context=context) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def sign_in(base, email, password, context=None):
    status, _, body = fetch(f"{base}/auth/v1/token?grant_type=password", {"Content-Type": "application/json"},
                            context, json.dumps({"email": email, "password": password}).encode())
    assert status == 200, body
    return json.loads(body)["access_token"]


def test_needs_no_swift_runtime(release_bin):
    libraries = subprocess.run(["ldd", release_bin], capture_output=True, text=True, check=True).stdout
    print(libraries)
    assert "not found" not in libraries
    assert not re.search(r"libswift|libFoundation|libdispatch|libBlocksRuntime|libicu", libraries), libraries
    assert "libsqlite3" in libraries


def test_version_names_the_commit(release_bin):
    result = run(release_bin, "--version")
    assert result.returncode == 0, result.stderr
    match = re.fullmatch(r"ghlsync \d+\.\d+\.\d+ \(commit ([0-9a-f]{12}(?:-dirty)?|unknown)\)", result.stdout.strip())
    assert match, result.stdout
    if subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True).returncode == 0:
        # Built from this checkout: its commit is HEAD or one before it (commits made while it built).
        commit = match.group(1).split("-")[0]
        assert subprocess.run(["git", "-C", str(ROOT), "merge-base", "--is-ancestor", commit, "HEAD"]).returncode == 0, commit


def test_runs_alone_and_serves_the_dashboard(alone):
    demo = Running(["demo", "--port", "0", "--db", str(alone.parent / "demo.sqlite")],
                     r"dashboard (http://127\.0\.0\.1:\d+)/", binary=str(alone), cwd=str(alone.parent))
    try:
        base = demo.match.group(1)
        owner = next(re.search(r"sign in as owner: (\S+) password (\S+)", l) for l in demo.lines if "sign in as owner" in l)
        status, headers, page = fetch(base + "/")
        assert status == 200 and headers["Content-Type"].startswith("text/html")
        assert b"<title>ghlsync dashboard</title>" in page
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assets = re.findall(rb'(?:src|href)="([\w.-]+\.(?:js|css))"', page)
        assert b"app.js" in assets and b"app.css" in assets
        for name in ["app.js", "api.js", "realtime.js", "widgets.js", "app.css"]:
            status, headers, body = fetch(f"{base}/{name}")
            assert status == 200 and len(body) > 500, name
            assert headers["Content-Type"].startswith("text/css" if name.endswith(".css") else "text/javascript"), name
            status, zipped_headers, zipped = fetch(f"{base}/{name}", {"Accept-Encoding": "gzip"})
            assert zipped_headers["Content-Encoding"] == "gzip" and gzip.decompress(zipped) == body, name
            status, _, _ = fetch(f"{base}/{name}", {"If-None-Match": headers["ETag"]})
            assert status == 304, name
        assert fetch(base + "/healthz")[2] == b"ok"
        token = sign_in(base, owner.group(1), owner.group(2))
        status, _, body = fetch(base + "/auth/v1/user", {"Authorization": f"Bearer {token}"})
        assert status == 200 and json.loads(body)["email"] == owner.group(1)
    finally:
        demo.stop()


def test_serves_https_and_wss(alone, monkeypatch):
    folder = alone.parent
    cert, key = make_certificate(folder)
    db = str(folder / "tls.sqlite")
    env = {"ANA_PASSWORD": "correct horse battery"}
    assert run(alone, "init", "--db", db).returncode == 0
    source = run(alone, "sources", "add", "--db", db, "--name", "TLS", "--location-id", "loc-tls",
                 "--api-base", "http://127.0.0.1:9", "--token-env", "UNUSED").stdout.strip().splitlines()[-1]
    assert run(alone, "users", "add", "--db", db, "--email", "ana@example.com", "--password-env", "ANA_PASSWORD", env=env).returncode == 0
    assert run(alone, "users", "grant", "--db", db, "--user", "ana@example.com", "--source", source, "--role", "viewer").returncode == 0
    server = Running(["serve", "--db", db, "--port", "0", "--tls-cert", str(cert), "--tls-key", str(key),
                      "--allowed-host", "crm.example.test"],
                     r"dashboard (https://127\.0\.0\.1:\d+)/", binary=str(alone))
    try:
        base = server.match.group(1)
        trusted = ssl.create_default_context(cafile=str(cert))
        status, headers, body = fetch(base + "/healthz", context=trusted)
        assert (status, body) == (200, b"ok")
        assert "default-src 'none'" in fetch(base + "/", context=trusted)[1]["Content-Security-Policy"]
        assert fetch(base + "/healthz", {"Host": "crm.example.test"}, trusted)[0] == 200  # --allowed-host
        assert fetch(base + "/healthz", {"Host": "rebind.attacker.example"}, trusted)[0] == 421
        token = sign_in(base, "ana@example.com", env["ANA_PASSWORD"], trusted)
        with pytest.raises(Exception):  # plain HTTP on the TLS port gets no HTTP answer
            urllib.request.urlopen(base.replace("https://", "http://") + "/healthz", timeout=5).read()

        # The realtime client joins its channel over WSS, trusting the test certificate.
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        from realtime import AsyncRealtimeClient, RealtimeSubscribeStates

        async def join():
            client = AsyncRealtimeClient(base.replace("https://", "wss://") + "/realtime/v1", token=token, auto_reconnect=False)
            await client.connect()
            try:
                states = []
                await client.channel(f"ghl:{source}", PRIVATE).subscribe(lambda state, error: states.append((state, error)))
                for _ in range(100):
                    if states:
                        break
                    await asyncio.sleep(0.1)
                return states
            finally:
                await client.close()

        assert asyncio.run(join()) == [(RealtimeSubscribeStates.SUBSCRIBED, None)]
    finally:
        server.stop()


def one_line_error(result, *fragments):
    assert result.returncode != 0
    lines = [l for l in result.stderr.strip().splitlines() if l.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Fatal error" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_port_in_use_is_one_line(alone):
    db = str(alone.parent / "port.sqlite")
    assert run(alone, "init", "--db", db).returncode == 0
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        one_line_error(run(alone, "serve", "--db", db, "--port", str(port)), f"127.0.0.1:{port}", "already in use")


def test_unreadable_key_file_is_one_line(alone):
    db = alone.parent / "keys.sqlite"
    assert run(alone, "init", "--db", str(db)).returncode == 0
    keys = Path(str(db) + ".keys")
    env = {"BO_PASSWORD": "correct horse battery"}
    assert run(alone, "users", "add", "--db", str(db), "--email", "bo@example.com", "--password-env", "BO_PASSWORD", env=env).returncode == 0
    assert run(alone, "users", "token", "--db", str(db), "--user", "bo@example.com").returncode == 0  # makes the key file
    assert keys.exists()
    os.chmod(db, 0o666)
    if not IS_ROOT:
        os.chmod(keys, 0o000)
    try:
        one_line_error(run(alone, "serve", "--db", str(db), "--port", "0", as_user=AS_ORDINARY_USER), str(keys), "cannot read")
    finally:
        os.chmod(keys, 0o600)


def test_unwritable_folder_is_one_line(alone):
    folder = alone.parent / "readonly"
    folder.mkdir()
    db = folder / "agency.sqlite"
    assert run(alone, "init", "--db", str(db)).returncode == 0
    os.chmod(db, 0o666)
    os.chmod(folder, 0o555 if not IS_ROOT else 0o755)
    try:
        one_line_error(run(alone, "serve", "--db", str(db), "--port", "0", as_user=AS_ORDINARY_USER), str(folder), "cannot write")
    finally:
        os.chmod(folder, 0o755)


def make_certificate(folder):
    """A self-signed certificate for 127.0.0.1 and localhost, and its key (PEM files)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


@pytest.mark.parametrize("missing", ["--tls-cert", "--tls-key"])
def test_missing_tls_file_is_one_line(alone, missing):
    db = str(alone.parent / "tls-missing.sqlite")
    assert run(alone, "init", "--db", db).returncode == 0
    cert, key = make_certificate(alone.parent)
    files = {"--tls-cert": str(cert), "--tls-key": str(key), missing: "/nonexistent/file.pem"}
    what = "certificate" if missing == "--tls-cert" else "private key"
    one_line_error(run(alone, "serve", "--db", db, "--port", "0", *[x for kv in files.items() for x in kv]),
                   f"TLS {what} /nonexistent/file.pem", "no such file")


def test_invalid_certificate_is_one_line(alone):
    db = str(alone.parent / "tls-bad.sqlite")
    assert run(alone, "init", "--db", db).returncode == 0
    garbage = alone.parent / "garbage.pem"
    garbage.write_text("not a certificate\n")
    one_line_error(run(alone, "serve", "--db", db, "--port", "0", "--tls-cert", str(garbage), "--tls-key", str(garbage)),
                   str(garbage), "not a valid PEM")


def test_plain_http_on_a_network_address_warns(alone):
    db = str(alone.parent / "warn.sqlite")
    assert run(alone, "init", "--db", db).returncode == 0
    server = Running(["serve", "--db", db, "--port", "0", "--host", "0.0.0.0"],
                     r"dashboard (http://0\.0\.0\.0:\d+)/", binary=str(alone))
    try:
        assert any("in clear" in line and "--tls-cert" in line for line in server.lines), server.lines
    finally:
        server.stop()
