"""Crash safety under load: events posted from several threads to many webhooks while some
receivers fail, kill -9 at a random moment, restart; every (event, webhook) pair answered 202
must reach its receiver and be answered 2xx at least once. Duplicates are counted and reported.
Then SIGTERM under load: exit 0, nothing lost."""

import json
import random
import threading
import time
import unittest

from harness import ADMIN, Hookshot, Receiver, event, header, wait_for, webhook, record_figures

WEBHOOKS = 6
FAILING = {"w1", "w4"}  # these answer 500 to the first attempt of every event


class CrashSafetyTest(unittest.TestCase):
    def setUp(self):
        self.seen = {}  # (event id, webhook) -> number of 2xx answers
        self.lock = threading.Lock()
        self.first_attempts = set()

        def respond(i, req):
            name = req["path"].rsplit("/", 1)[-1]
            key = (header(req, "X-CS-Event-ID"), name)
            with self.lock:
                if name in FAILING and key not in self.first_attempts:
                    self.first_attempts.add(key)
                    return (500, b"first attempt fails", {})
                self.seen[key] = self.seen.get(key, 0) + 1
            return (200, b"", {})

        self.rx = Receiver(respond)
        self.hookshot = None

    def tearDown(self):
        if self.hookshot:
            self.hookshot.close()
        self.rx.close()

    def start(self, durability):
        hooks = [webhook(f"w{i}", f"{self.rx.url}/w{i}") for i in range(WEBHOOKS)]
        self.hookshot = Hookshot(hooks, durability=durability,
                                 # A long timeout keeps duplicates to the crash's own: a Python
                                 # receiver under this load may answer late, never wrongly.
                                 settings={"webhook.delivery.backoff": "0.3", "webhook.delivery.tries": 20,
                                           "webhook.delivery.timeout": 60})
        return self.hookshot.start()

    def post_under_load(self, hs, accepted, stop, threads=2, batch=20):
        """Posts NDJSON batches until `stop` is set; adds the ids of batches answered 202."""
        def poster():
            while not stop.is_set():
                try:
                    status, answer = hs.post(
                        ("\n".join(json.dumps(event(account=ADMIN, description=str(random.random())))
                                   for _ in range(batch)) + "\n").encode(),
                        {"Content-Type": "application/x-ndjson"})
                except OSError:
                    status = 0
                if status == 202:
                    with self.lock:
                        accepted.update(answer["events"])
                time.sleep(0.03)  # about a thousand events a second: the receiver is Python

        workers = [threading.Thread(target=poster, daemon=True) for _ in range(threads)]
        for w in workers:
            w.start()
        return workers

    def lost_and_duplicated(self, accepted):
        with self.lock:  # copy quickly: the receiver's threads need this lock to answer
            seen, events = dict(self.seen), list(accepted)
        pairs = {(e, f"w{i}") for e in events for i in range(WEBHOOKS)}
        lost = [p for p in pairs if p not in seen]
        duplicated = sum(1 for p in pairs if seen.get(p, 0) > 1)
        return pairs, lost, duplicated

    def test_kill_9_at_a_random_moment_loses_nothing(self):
        for durability in ["fsync", "os"]:
            with self.subTest(durability=durability):
                try:
                    self.kill_9_loses_nothing(durability)
                finally:
                    if self.hookshot:
                        self.hookshot.close()
                        self.hookshot = None

    def kill_9_loses_nothing(self, durability):
        self.seen.clear()
        self.first_attempts.clear()
        hs = self.start(durability)
        accepted, stop = set(), threading.Event()
        workers = self.post_under_load(hs, accepted, stop)
        time.sleep(random.uniform(1.5, 3.0))  # a random moment, with retries pending
        hs.kill9()
        stop.set()
        for w in workers:
            w.join(30)
        self.assertGreater(len(accepted), 200, "the load was too light to prove anything")
        hs.start()
        pairs, _, _ = self.lost_and_duplicated(accepted)
        wait_for(lambda: not self.lost_and_duplicated(accepted)[1], timeout=120, interval=0.5,
                 what=f"all {len(pairs)} accepted pairs after the restart")
        pairs, lost, duplicated = self.lost_and_duplicated(accepted)
        self.assertEqual(lost, [])
        print(f"\n[{durability}] kill -9: {len(accepted)} events accepted, {len(pairs)} pairs, "
              f"0 lost, {duplicated} delivered more than once")
        record_figures(f"kill -9 ({durability})", events=len(accepted), pairs=len(pairs), lost=len(lost),
                       duplicated=duplicated, faults="kill -9 at a random moment; 2 of 6 receivers fail "
                       "every first attempt")
        self.assertEqual(hs.stop(), 0)

    def test_sigterm_under_load_loses_nothing_and_exits_zero(self):
        hs = self.start("fsync")
        accepted, stop = set(), threading.Event()
        workers = self.post_under_load(hs, accepted, stop)
        time.sleep(2.0)
        started = time.monotonic()
        self.assertEqual(hs.stop(timeout=90), 0)
        self.assertLess(time.monotonic() - started, 60 + 2)  # within the delivery timeout
        stop.set()
        for w in workers:
            w.join(30)
        hs.start()
        wait_for(lambda: not self.lost_and_duplicated(accepted)[1], timeout=120, interval=0.5,
                 what="every accepted pair")
        pairs, lost, duplicated = self.lost_and_duplicated(accepted)
        print(f"\n[sigterm] {len(accepted)} events accepted, {len(pairs)} pairs, 0 lost, {duplicated} duplicated")
        record_figures("SIGTERM under load (fsync)", events=len(accepted), pairs=len(pairs), lost=len(lost),
                       duplicated=duplicated, faults="SIGTERM while posting; 2 of 6 receivers fail every "
                       "first attempt")


if __name__ == "__main__":
    unittest.main()
