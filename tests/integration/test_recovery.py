"""The durability contract: pending deliveries survive kill -9 with their attempt counts, and
SIGTERM stops cleanly with exit 0."""

import threading
import time
import unittest

from harness import Hookshot, Receiver, event, header, wait_for, webhook


class RecoveryTest(unittest.TestCase):
    def setUp(self):
        self.hookshot = None
        self.receivers = []

    def tearDown(self):
        if self.hookshot:
            self.hookshot.close()
        for r in self.receivers:
            r.close()

    def test_pending_retries_survive_kill_9(self):
        for durability in ["fsync", "os"]:
            with self.subTest(durability=durability):
                try:
                    self.pending_retries_survive_kill_9(durability)
                finally:
                    if self.hookshot:
                        self.hookshot.close()
                        self.hookshot = None

    def pending_retries_survive_kill_9(self, durability):
        healthy = threading.Event()
        rx = Receiver(lambda i, req: (200, b"", {}) if healthy.is_set() else (500, b"not yet", {}))
        self.receivers.append(rx)
        # Retries are due 3 s after the first failure: kill -9 happens before any is made.
        hs = Hookshot([webhook("a", rx.url), webhook("b", rx.url + "?b")],
                      settings={"webhook.delivery.backoff": "3", "webhook.delivery.tries": 5},
                      durability=durability)
        self.hookshot = hs.start()
        ids = hs.post_events([event(description=f"e{i}") for i in range(40)])
        wait_for(lambda: rx.count() >= 80, what="every first attempt")
        # Kill once every first attempt's failure is on disk (attempts 1, retry scheduled).
        wait_for(lambda: all(w["pending_by_attempts"].get("0", 0) == 0 and w["pending"] == 40
                             for w in hs.deliveries().values()), what="first attempts persisted")
        hs.kill9()
        seen_before = rx.count()
        self.assertEqual(hs.deliveries()["a"]["pending"], 40)
        self.assertEqual(hs.deliveries()["b"]["pending"], 40)

        healthy.set()
        hs.start()
        want = {(i, p) for i in ids for p in ["/hook", "/hook?b"]}

        def delivered():
            ok = {(header(r, "X-CS-Event-ID"), r["path"]) for r in rx.snapshot()[seen_before:]}
            return ok >= want

        wait_for(delivered, timeout=20, what="every pending delivery after restart")
        d = wait_for(lambda: (lambda w: w if w["a"]["pending"] == 0 and w["b"]["pending"] == 0
                              else None)(hs.deliveries()), what="nothing left pending")
        # The attempt count survived the crash: it includes the attempt made before it, and
        # never exceeds what the receiver saw (an answered attempt may die unrecorded).
        requests = {}
        for r in rx.snapshot():
            key = (header(r, "X-CS-Event-ID"), r["path"])
            requests[key] = requests.get(key, 0) + 1
        for name, path in [("a", "/hook"), ("b", "/hook?b")]:
            records = d[name]["webhookdelivery"]
            self.assertTrue(records)
            for r in records:
                self.assertTrue(r["success"])
                self.assertGreaterEqual(r["attempts"], 2)
                self.assertLessEqual(r["attempts"], requests[(r["eventid"], path)])
        self.assertEqual(hs.stop(), 0)
        rx.close()
        self.receivers.remove(rx)

    def test_sigterm_exits_zero_and_keeps_what_is_pending(self):
        rx = Receiver(lambda i, req: (500, b"", {}))
        self.receivers.append(rx)
        hs = Hookshot([webhook("a", rx.url)], settings={"webhook.delivery.backoff": "60"})
        self.hookshot = hs.start()
        hs.post_events([event() for _ in range(5)])
        wait_for(lambda: rx.count() == 5)
        started = time.monotonic()
        self.assertEqual(hs.stop(), 0)
        self.assertLess(time.monotonic() - started, 10)
        self.assertIn("SIGTERM received", hs.output())
        self.assertEqual(hs.deliveries()["a"]["pending"], 5)

    def test_sigterm_waits_for_attempts_on_the_wire(self):
        release = threading.Event()

        def slow(i, req):
            release.wait(0.8)
            return (200, b"late but fine", {})

        rx = Receiver(slow)
        self.receivers.append(rx)
        hs = Hookshot([webhook("a", rx.url)])
        self.hookshot = hs.start()
        hs.post_events([event() for _ in range(3)])
        wait_for(lambda: rx.count() == 3)
        self.assertEqual(hs.stop(), 0)
        d = hs.deliveries()["a"]
        self.assertEqual(d["pending"], 0)
        self.assertEqual(len(d["webhookdelivery"]), 3)
        self.assertTrue(all(r["success"] for r in d["webhookdelivery"]))


if __name__ == "__main__":
    unittest.main()
