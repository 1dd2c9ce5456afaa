"""Integration-test support: a recording HTTP receiver on 127.0.0.1 and a driver for the real
hookshot binary (config file, data directory, start/stop/kill, intake, delivery log).

Every network address here is loopback; every wait is bounded.
"""

import base64
import hashlib
import hmac
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request

HOOKSHOT = os.environ.get("HOOKSHOT_BIN", os.path.join(os.path.dirname(__file__), "../../build/hookshot"))

ROOT = "10000000-0000-0000-0000-000000000000"
CHILD = "20000000-0000-0000-0000-000000000000"
GRANDCHILD = "30000000-0000-0000-0000-000000000000"
SIBLING = "40000000-0000-0000-0000-000000000000"

ADMIN = "a0000000-0000-0000-0000-000000000001"
CHILD_ADMIN = "a0000000-0000-0000-0000-000000000002"
ALICE = "a0000000-0000-0000-0000-000000000003"  # user in GRANDCHILD
BOB = "a0000000-0000-0000-0000-000000000004"    # user in SIBLING


def record_figures(test, **figures):
    """Appends one JSON line of reliability figures to $HOOKSHOT_FIGURES, when set
    (scripts/reliability-report.py collects them into docs/reliability.md)."""
    path = os.environ.get("HOOKSHOT_FIGURES")
    if path:
        with open(path, "a") as f:
            f.write(json.dumps({"test": test, **figures}) + "\n")


def wait_for(predicate, timeout=10.0, interval=0.02, what="condition"):
    """Polls predicate until it returns a truthy value, or fails after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def sign(secret, body):
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


class Receiver:
    """An HTTP/1.1 receiver that records every request and answers as told.

    `responder(index, request)` returns (status, body, extra_headers) for the index-th request
    (0-based); the default answers 200. `hang` makes it hold requests without answering until
    closed (bounded by 30 s).
    """

    def __init__(self, responder=None, tls=None, host="127.0.0.1"):
        """`tls`: (certfile, keyfile) to serve HTTPS instead of HTTP; `host`: any 127.0.0.0/8
        address to listen on."""
        self.requests = []
        self.lock = threading.Lock()
        self.responder = responder or (lambda i, req: (200, b"ok", {}))
        self.release = threading.Event()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                req = {"path": self.path, "headers": list(self.headers.items()), "body": body,
                       "time": time.time()}
                with receiver.lock:
                    index = len(receiver.requests)
                    receiver.requests.append(req)
                answer = receiver.responder(index, req)
                if answer is None:  # hang
                    receiver.release.wait(30)
                    return
                status, payload, extra = answer
                self.send_response(status)
                for k, v in extra.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        class Server(http.server.ThreadingHTTPServer):
            # socketserver's default backlog of 5 drops connections under a burst (hookshot
            # opens up to max.inflight per webhook at once); a dropped handshake costs the
            # client a SYN retransmit or a request that waits for its timeout.
            request_queue_size = 256

            def handle_error(self, request, client_address):
                pass  # a peer killed mid-connection (kill -9 tests) is expected

        self.server = Server((host, 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        scheme = "http"
        if tls:
            import ssl
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*tls)
            self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
            scheme = "https"
        self.url = f"{scheme}://{host}:{self.port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def count(self):
        with self.lock:
            return len(self.requests)

    def snapshot(self):
        with self.lock:
            return list(self.requests)

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def make_ca_and_cert(directory):
    """A throwaway CA and a certificate for 127.0.0.1 and localhost signed by it, made with the
    openssl CLI.
    Returns (ca_file, cert_file, key_file)."""
    def openssl(*args):
        subprocess.run(["openssl", *args], cwd=directory, check=True, capture_output=True, timeout=60)

    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=hookshot test CA")
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    with open(os.path.join(directory, "san.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "san.ext")
    return tuple(os.path.join(directory, n) for n in ("ca.pem", "server.pem", "server.key"))


def answers_healthz(port):
    """True when something answers GET /healthz with 200 on 127.0.0.1:port."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
            return r.status == 200
    except (urllib.error.URLError, ConnectionError, OSError):
        return False


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# hookshot's defaults refuse plain http and loopback (the SSRF policy); tests deliver to
# receivers on 127.0.0.1 over http, so their configs allow exactly that. Tests of the policy
# itself override these keys.
LOOPBACK_POLICY = {
    "webhook.delivery.allow.http": True,
    "webhook.delivery.blocklist": "",
    "webhook.delivery.block.local.addresses": False,
}


def base_config(data_dir, port, webhooks, settings=None, durability="os", ingest_secret="",
                policy=LOOPBACK_POLICY):
    return {
        "listen": f"127.0.0.1:{port}",
        "data_dir": data_dir,
        "durability": durability,
        "management_server": {"id": "ms-test-id", "name": "ms-test"},
        "settings": {**policy, **(settings or {})},
        "ingest": {"secretkey": ingest_secret},
        "domains": [
            {"id": ROOT, "name": "ROOT"},
            {"id": CHILD, "name": "child", "parent": ROOT},
            {"id": GRANDCHILD, "name": "grandchild", "parent": CHILD},
            {"id": SIBLING, "name": "sibling", "parent": ROOT},
        ],
        "accounts": [
            {"id": ADMIN, "name": "admin", "domainid": ROOT, "role": "Admin"},
            {"id": CHILD_ADMIN, "name": "child-admin", "domainid": CHILD, "role": "DomainAdmin"},
            {"id": ALICE, "name": "alice", "domainid": GRANDCHILD, "role": "User"},
            {"id": BOB, "name": "bob", "domainid": SIBLING, "role": "User"},
        ],
        "webhooks": webhooks,
    }


def event(account=ALICE, type_="VM.CREATE", **extra):
    e = {"event": type_, "status": "Completed", "account": account, "user": account,
         "entity": "VirtualMachine", "description": "test event"}
    e.update(extra)
    return e


class Hookshot:
    """The real binary on a fresh data directory (kept across restarts of the same object)."""

    def __init__(self, webhooks, settings=None, durability="os", ingest_secret="", tmp=None,
                 policy=LOOPBACK_POLICY):
        self.tmp = tmp or tempfile.mkdtemp(prefix="hookshot-it-")
        self.data_dir = os.path.join(self.tmp, "data")
        self.port = free_port()
        self.config = base_config(self.data_dir, self.port, webhooks, settings, durability,
                                  ingest_secret, policy)
        self.config_path = os.path.join(self.tmp, "hookshot.json")
        self.write_config()
        self.proc = None
        self.log = None

    def write_config(self):
        with open(self.config_path, "w") as f:
            json.dump(self.config, f, indent=1)

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout=15, env=None):
        """Starts `hookshot serve`; `env` adds environment variables."""
        self.log = open(os.path.join(self.tmp, "serve.log"), "ab")
        self.proc = subprocess.Popen([HOOKSHOT, "serve", "--config", self.config_path],
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     env={**os.environ, **(env or {})})

        def healthy():
            if self.proc.poll() is not None:
                raise AssertionError(f"hookshot exited with {self.proc.returncode}: {self.output()}")
            return answers_healthz(self.port)

        wait_for(healthy, timeout, what="hookshot to answer /healthz")
        return self

    def output(self):
        with open(os.path.join(self.tmp, "serve.log"), "rb") as f:
            return f.read().decode(errors="replace")

    def post(self, body, headers=None, path="/v1/events"):
        """POSTs raw bytes; returns (status, parsed JSON or text)."""
        req = urllib.request.Request(self.base + path, data=body, method="POST",
                                     headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                raw, status = r.read(), r.status
        except urllib.error.HTTPError as e:
            raw, status = e.read(), e.code
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw.decode(errors="replace")

    def post_events(self, events, headers=None):
        """One event as a JSON body, several as NDJSON. Asserts 202; returns the event ids."""
        if len(events) == 1:
            body = json.dumps(events[0]).encode()
            h = {"Content-Type": "application/json"}
        else:
            body = ("\n".join(json.dumps(e) for e in events) + "\n").encode()
            h = {"Content-Type": "application/x-ndjson"}
        h.update(headers or {})
        status, answer = self.post(body, h)
        assert status == 202, (status, answer)
        assert answer["accepted"] == len(events), answer
        return answer["events"]

    def deliveries(self):
        """Stored webhooks with pending counts and records, by webhook name."""
        out = subprocess.run([HOOKSHOT, "deliveries", "--data-dir", self.data_dir],
                             capture_output=True, timeout=30)
        assert out.returncode == 0, ("hookshot deliveries failed", out.returncode, out.stderr.decode())
        return {w["name"]: w for w in json.loads(out.stdout)["webhook"]}

    def metric(self, name):
        """The value of an unlabelled sample of GET /metrics."""
        with urllib.request.urlopen(self.base + "/metrics", timeout=5) as r:
            for line in r.read().decode().splitlines():
                if line.startswith(name + " "):
                    return int(line.split(" ")[1])
        raise AssertionError(f"no sample {name} in /metrics")

    def stop(self, timeout=30):
        """SIGTERM; returns the exit code."""
        if self.proc is None:
            return None
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout)
        self.proc = None
        self.log.close()
        return rc

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        self.proc = None
        self.log.close()

    def close(self):
        """Kills the process if it still runs and removes the data directory."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(10)
            self.proc = None
        if self.log:
            self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def webhook(name, url, account="admin", scope="Global", **extra):
    w = {"name": name, "account": account, "scope": scope, "payloadurl": url}
    w.update(extra)
    return w


def header(req, name):
    for k, v in req["headers"]:
        if k.lower() == name.lower():
            return v
    return None


class ApiTestCase:
    """Mixin for API tests: a fresh hookshot whose accounts have keys "<name>-api-key" and
    "<name>-secret-key", a receiver, and a python3-cs client per account."""

    settings = {}
    policy = LOOPBACK_POLICY

    def setUp(self):
        self.rx = Receiver()
        hs = Hookshot([], settings=dict(self.settings), policy=self.policy)
        for a in hs.config["accounts"]:
            a["apikey"], a["secretkey"] = a["name"] + "-api-key", a["name"] + "-secret-key"
        hs.write_config()
        self.hs = hs.start()

    def tearDown(self):
        self.hs.close()
        self.rx.close()

    def client(self, name):
        from cs import CloudStack
        return CloudStack(endpoint=self.hs.base + "/client/api", key=name + "-api-key",
                          secret=name + "-secret-key")

    def error_text(self, fn, **params):
        """(HTTP status, errortext) of a call that must fail."""
        from cs import CloudStackApiException
        with self.assertRaises(CloudStackApiException) as e:
            fn(**params)
        return e.exception.response.status_code, e.exception.error["errortext"]
