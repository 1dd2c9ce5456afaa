"""The hookshot binary's commands: help, check-config, sink, and serve's refusals."""

import json
import os
import shutil
import signal
import ssl
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request

from harness import HOOKSHOT, answers_healthz, free_port, make_ca_and_cert, wait_for

EXAMPLE = os.path.join(os.path.dirname(__file__), "../../config/hookshot.example.json")


def run(*args, timeout=30):
    return subprocess.run([HOOKSHOT, *args], capture_output=True, text=True, timeout=timeout)


class QuietSink:
    """`hookshot sink --quiet` on a free loopback port for a `with` block, up once /stats answers."""

    def __init__(self, *flags):
        self.flags = list(flags)

    def __enter__(self):
        self.base = f"http://127.0.0.1:{free_port()}"
        self.proc = subprocess.Popen([HOOKSHOT, "sink", "--quiet", "--listen", self.base[7:],
                                      *self.flags], stdout=subprocess.DEVNULL)

        def up():
            try:
                return self.stats()
            except OSError:
                return None

        try:
            wait_for(up, what="the sink")
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(10)

    def post(self, path, body=b"{}"):
        req = urllib.request.Request(self.base + path, data=body, method="POST")
        with urllib.request.urlopen(req, timeout=2) as r:
            return r.status

    def stats(self):
        with urllib.request.urlopen(self.base + "/stats", timeout=2) as r:
            return json.load(r)


class CliTest(unittest.TestCase):
    def test_help_for_every_command(self):
        top = run("--help")
        self.assertEqual(top.returncode, 0)
        for command in ["serve", "check-config", "sink", "deliveries", "bench"]:
            self.assertIn(command, top.stdout)
            r = run(command, "--help")
            self.assertEqual(r.returncode, 0, command)
            self.assertIn("usage: hookshot " + command, r.stdout)
        self.assertEqual(run().returncode, 2)
        r = run("frobnicate")
        self.assertEqual(r.returncode, 2)
        self.assertIn("unknown command 'frobnicate'", r.stderr)

    def test_deliveries_names_a_directory_without_data_and_creates_nothing(self):
        tmp = tempfile.mkdtemp()
        try:
            missing = os.path.join(tmp, "typo")
            r = run("deliveries", "--data-dir", missing)
            self.assertEqual(r.returncode, 1)
            self.assertIn("no hookshot data in '%s'" % missing, r.stderr)
            self.assertFalse(os.path.exists(missing))
        finally:
            shutil.rmtree(tmp)

    def test_check_config_accepts_the_example(self):
        r = run("check-config", EXAMPLE)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("ok", r.stdout)

    def test_check_config_and_serve_name_the_bad_key(self):
        with open(EXAMPLE) as f:
            text = f.read()
        bad = text.replace('"webhook.delivery.tries": 3', '"webhook.delivery.tries": "many"')
        self.assertNotEqual(bad, text)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            f.write(bad)
        try:
            for args in [("check-config", f.name), ("serve", "--config", f.name)]:
                r = run(*args)
                self.assertEqual(r.returncode, 1, args)
                self.assertIn("settings.webhook.delivery.tries: 'many' is not an integer", r.stderr)
        finally:
            os.unlink(f.name)
        r = run("check-config", "/nonexistent/hookshot.json")
        self.assertEqual(r.returncode, 1)
        self.assertIn("cannot read config file", r.stderr)

    def test_serve_refuses_an_address_in_use(self):
        port = free_port()
        tmp = tempfile.mkdtemp()
        cfg = {"listen": f"127.0.0.1:{port}", "data_dir": os.path.join(tmp, "d")}
        path = os.path.join(tmp, "c.json")
        with open(path, "w") as f:
            json.dump(cfg, f)
        first = subprocess.Popen([HOOKSHOT, "serve", "--config", path], stdout=subprocess.PIPE)
        try:
            wait_for(lambda: answers_healthz(port), what="first server")
            cfg["data_dir"] = os.path.join(tmp, "d2")
            with open(path, "w") as f:
                json.dump(cfg, f)
            r = run("serve", "--config", path)
            self.assertEqual(r.returncode, 1)
            self.assertIn(f"cannot listen on 127.0.0.1:{port}", r.stderr)
        finally:
            first.send_signal(signal.SIGTERM)
            self.assertEqual(first.wait(30), 0)
            shutil.rmtree(tmp, ignore_errors=True)

    def test_sink_answers_with_the_requested_status_and_counts(self):
        port = free_port()
        sink = subprocess.Popen([HOOKSHOT, "sink", "--listen", f"127.0.0.1:{port}", "--status", "202",
                                 "--delay-ms", "50"], stdout=subprocess.PIPE, text=True)
        try:
            def answer():
                try:
                    req = urllib.request.Request(f"http://127.0.0.1:{port}/x", data=b'{"a":1}',
                                                 method="POST")
                    with urllib.request.urlopen(req, timeout=2) as r:
                        return r.status
                except OSError:
                    return None

            self.assertEqual(wait_for(answer, what="the sink"), 202)
            self.assertEqual(answer(), 202)
        finally:
            sink.send_signal(signal.SIGTERM)
            out, _ = sink.communicate(timeout=10)
        self.assertEqual(sink.returncode, 0)
        self.assertIn('{"a":1}', out)
        self.assertRegex(out, r"hookshot sink: [2-9]\d* requests received")

    def test_sink_serves_tls_and_plain_http_on_one_port(self):
        # A certificate signed by a separate CA: a client trusting the CA is served over TLS,
        # the same port answers plain HTTP, and /stats counts the connections of each.
        tmp = tempfile.mkdtemp(prefix="hookshot-sink-tls-")
        try:
            ca, cert, key = make_ca_and_cert(tmp)
            with QuietSink("--tls-cert", cert, "--tls-key", key) as sink:
                trusting = ssl.create_default_context(cafile=ca)
                https = "https" + sink.base[4:]
                for _ in range(3):
                    req = urllib.request.Request(https + "/x", data=b'{"sent_us":1}', method="POST")
                    with urllib.request.urlopen(req, timeout=5, context=trusting) as r:
                        self.assertEqual(r.status, 200)
                self.assertEqual(sink.post("/x"), 200)
                s = sink.stats()
                self.assertEqual((s["requests"], s["with_latency"]), (4, 3))
                # urllib opens a connection per request
                self.assertEqual((s["connections"], s["tls_connections"]), (4, 3))
                with self.assertRaises(urllib.error.URLError) as refused:
                    urllib.request.urlopen(https + "/x", timeout=5,
                                           context=ssl.create_default_context())
                self.assertIn("CERTIFICATE_VERIFY_FAILED", str(refused.exception))
                self.assertEqual(sink.stats()["requests"], 4)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        half = run("sink", "--tls-cert", "cert.pem")
        self.assertEqual(half.returncode, 2)
        self.assertIn("--tls-cert and --tls-key go together", half.stderr)
        missing = run("sink", "--listen", "127.0.0.1:0", "--tls-cert", "/nonexistent/cert.pem",
                      "--tls-key", "/nonexistent/key.pem")
        self.assertEqual(missing.returncode, 1)
        self.assertIn("cannot load the TLS certificate /nonexistent/cert.pem", missing.stderr)

    def test_sink_counts_pauses_between_deliveries(self):
        # A gap of more than 3 ms between two deliveries' arrivals is a pause: /stats counts them
        # and their length, and a reset zeroes both.
        with QuietSink() as sink:
            self.assertEqual(sink.post("/x"), 200)
            time.sleep(0.2)
            self.assertEqual(sink.post("/x"), 200)
            s = sink.stats()
            self.assertEqual(s["requests"], 2)
            self.assertEqual(s["pauses"], 1)
            self.assertGreaterEqual(s["paused_ms"], 200)
            self.assertEqual(sink.post("/stats/reset"), 200)
            s = sink.stats()
            self.assertEqual((s["requests"], s["pauses"], s["paused_ms"]), (0, 0, 0))

    def test_sink_reports_latency_quantiles_within_five_percent(self):
        # Deliveries whose "sent_us" says they were sent 0.1, 0.2, ... 10 s ago: the median is
        # 5.0 s and the 99th percentile 9.9 s (plus the post's own few ms). The sink reads
        # quantiles off 5 %-wide buckets, so each is at most a twentieth above the exact one.
        with QuietSink() as sink:
            for k in range(1, 101):
                sent_us = int(time.time() * 1e6) - k * 100_000
                body = json.dumps({"event": "x", "sent_us": sent_us}).encode()
                self.assertEqual(sink.post("/x", body), 200)
            latency = sink.stats()["latency_ms"]
            self.assertGreaterEqual(latency["p50"], 5000)
            self.assertLessEqual(latency["p50"], 5000 * 1.05 + 50)
            self.assertGreaterEqual(latency["p99"], 9900)
            self.assertLessEqual(latency["p99"], 9900 * 1.05 + 50)
            self.assertGreaterEqual(latency["max"], 10000)
            self.assertLessEqual(latency["max"], 10000 + 2000)

    def test_sink_rejects_bad_flags(self):
        r = run("sink", "--status", "999")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--status", r.stderr)


if __name__ == "__main__":
    unittest.main()
