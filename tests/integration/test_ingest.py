"""POST /v1/events: batches, authentication, and refusals that store nothing."""

import json
import threading
import time
import unittest
import urllib.error
import urllib.request

from harness import ALICE, Hookshot, Receiver, event, header, sign, wait_for, webhook


class IngestTest(unittest.TestCase):
    def setUp(self):
        self.rx = Receiver()
        self.hookshot = None

    def tearDown(self):
        if self.hookshot:
            self.hookshot.close()
        self.rx.close()

    def start(self, **kw):
        self.hookshot = Hookshot([webhook("all", self.rx.url)], **kw).start()
        return self.hookshot

    def test_ndjson_batch_is_accepted_whole_and_delivered_byte_for_byte(self):
        hs = self.start()
        lines = [json.dumps(event(description=f"event {i}")).encode() for i in range(50)]
        body = b"\n".join(lines[:25]) + b"\r\n\n" + b"\n".join(lines[25:]) + b"\n"
        status, answer = hs.post(body, {"Content-Type": "application/x-ndjson"})
        self.assertEqual(status, 202)
        self.assertEqual(answer["accepted"], 50)
        self.assertEqual(len(set(answer["events"])), 50)
        wait_for(lambda: self.rx.count() == 50, what="50 deliveries")
        by_id = {header(r, "X-CS-Event-ID"): r["body"] for r in self.rx.snapshot()}
        self.assertEqual([by_id[i] for i in answer["events"]], lines)

    def test_healthz_counts_the_deliveries_the_engine_holds(self):
        self.rx.close()
        self.rx = Receiver(lambda i, req: (500, b"down", {}) if i < 2 else (200, b"ok", {}))
        hs = self.start(settings={"webhook.delivery.tries": 5, "webhook.delivery.backoff": "1"})
        self.assertEqual(self.healthz(hs)["pending"], 0)
        hs.post_events([event(), event()])
        wait_for(lambda: self.rx.count() == 2, what="two failed first attempts")
        self.assertEqual(self.healthz(hs), {"status": "ok", "pending": 2})  # due for a retry
        wait_for(lambda: self.healthz(hs)["pending"] == 0, what="both delivered on retry")
        self.assertEqual(self.rx.count(), 4)

    def healthz(self, hs):
        with urllib.request.urlopen(hs.base + "/healthz", timeout=5) as r:
            return json.loads(r.read())

    def test_bad_line_rejects_the_whole_batch_and_names_the_line(self):
        hs = self.start()
        body = (json.dumps(event()) + "\n" + json.dumps(event()) + "\n{\"event\":\"X\"}\n").encode()
        status, answer = hs.post(body, {"Content-Type": "application/x-ndjson"})
        self.assertEqual(status, 400)
        self.assertEqual(answer["error"], 'line 3: missing field "account"')
        status, answer = hs.post(b"{not json", {"Content-Type": "application/json"})
        self.assertEqual(status, 400)
        self.assertIn("invalid JSON", answer["error"])
        status, answer = hs.post(b"  \n", {"Content-Type": "application/x-ndjson"})
        self.assertEqual((status, answer["error"]), (400, "the request body holds no event"))
        # Nothing of the rejected requests was stored or sent.
        self.assertEqual(hs.deliveries()["all"]["pending"], 0)
        hs.post_events([event()])
        wait_for(lambda: self.rx.count() == 1)
        self.assertEqual(self.rx.count(), 1)

    def test_ingest_signature_is_required_when_a_key_is_configured(self):
        hs = self.start(ingest_secret="ingest-key")
        body = json.dumps(event()).encode()
        status, answer = hs.post(body, {"Content-Type": "application/json"})
        self.assertEqual(status, 401)
        self.assertIn("missing X-CS-Signature", answer["error"])
        status, answer = hs.post(body, {"X-CS-Signature": sign("wrong-key", body)})
        self.assertEqual((status, answer["error"]), (401, "X-CS-Signature does not match the body"))
        self.assertEqual(hs.deliveries()["all"]["pending"], 0)
        status, answer = hs.post(body, {"X-CS-Signature": sign("ingest-key", body)})
        self.assertEqual(status, 202)
        wait_for(lambda: self.rx.count() == 1)

    def test_oversized_body_is_refused_with_413(self):
        hs = self.start(settings={"ingest.max.body.bytes": 2048})
        big = json.dumps(event(description="x" * 4096)).encode()
        status, answer = hs.post(big, {"Content-Type": "application/json"})
        self.assertEqual(status, 413)
        self.assertIn("exceeds the limit of 2048 bytes", answer["error"])
        self.assertEqual(hs.deliveries()["all"]["pending"], 0)

    def test_wrong_method_and_unknown_path(self):
        hs = self.start()
        with self.assertRaises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(hs.base + "/v1/events", timeout=5)
        self.assertEqual(e.exception.code, 405)
        status, answer = hs.post(b"{}", path="/nowhere")
        self.assertEqual(status, 404)

    def test_event_id_header_names_a_single_event(self):
        hs = self.start()
        eid = "0a0b0c0d-1111-4222-8333-444455556666"
        status, answer = hs.post(json.dumps(event()).encode(), {"X-CS-Event-ID": eid})
        self.assertEqual(answer["events"], [eid])
        wait_for(lambda: self.rx.count() == 1)
        self.assertEqual(header(self.rx.snapshot()[0], "X-CS-Event-ID"), eid)
        # An id the producer chose goes back in the reply escaped, whatever it holds.
        odd = 'evt "7" \\ 8'
        status, answer = hs.post(json.dumps(event()).encode(), {"X-CS-Event-ID": odd})
        self.assertEqual((status, answer), (202, {"accepted": 1, "events": [odd]}))

    def test_a_flood_gets_429_and_memory_stays_bounded(self):
        self.rx.close()
        release = threading.Event()
        self.rx = Receiver(lambda i, req: (release.wait(30), (200, b"", {}))[1])
        hs = self.hookshot = Hookshot([webhook("all", self.rx.url)],
                                      settings={"ingest.max.pending": 50}).start()
        accepted, refused = 0, None
        body = ("\n".join(json.dumps(event()) for _ in range(20)) + "\n").encode()
        for _ in range(20):
            req = urllib.request.Request(hs.base + "/v1/events", data=body, method="POST",
                                         headers={"Content-Type": "application/x-ndjson"})
            try:
                with urllib.request.urlopen(req, timeout=30) as r:
                    accepted += json.loads(r.read())["accepted"]
            except urllib.error.HTTPError as e:
                refused = (e.code, e.headers.get("Retry-After"), json.loads(e.read())["error"])
                break
            time.sleep(0.1)  # let the accepted ones reach their actor
        self.assertIsNotNone(refused, "intake never pushed back")
        self.assertEqual(refused[:2], (429, "1"))
        self.assertIn("ingest.max.pending is 50", refused[2])
        self.assertGreaterEqual(accepted, 50)
        self.assertLessEqual(accepted, 50 + 20)  # at most one request's worth over the limit
        self.assertEqual(hs.deliveries()["all"]["pending"], accepted)  # the refused batch: nothing stored
        release.set()
        wait_for(lambda: hs.deliveries()["all"]["pending"] == 0, timeout=30, what="the backlog to drain")
        hs.post_events([event()])  # accepted again

    def test_fsync_durability_accepts_and_delivers(self):
        hs = self.start(durability="fsync")
        hs.post_events([event(account=ALICE) for _ in range(10)])
        wait_for(lambda: self.rx.count() == 10)


if __name__ == "__main__":
    unittest.main()
