"""A full disk: intake answers 503 and stores nothing of the refused batch, deliveries already
accepted keep going out, and once space returns everything continues; a restart loses
nothing. The disk is "filled" with a file-size limit (RLIMIT_FSIZE) on the running process,
which makes LMDB's writes beyond the current file size fail as they would on a full disk."""

import json
import os
import resource
import threading
import unittest

from harness import Hookshot, Receiver, event, header, record_figures, wait_for, webhook

NDJSON = {"Content-Type": "application/x-ndjson"}


def batch(n, tag, pad=2000):
    return [event(description=f"{tag} {i}", padding="p" * pad) for i in range(n)]


class FullDiskTest(unittest.TestCase):
    def setUp(self):
        self.failing = threading.Event()
        self.failing.set()
        # Fails while `failing` is set, so accepted deliveries wait (stored) for retries.
        self.rx = Receiver(lambda i, req: (503, b"later", {}) if self.failing.is_set() else (200, b"ok", {}))
        self.hs = Hookshot([webhook("all", self.rx.url)], durability="fsync",
                           settings={"webhook.delivery.backoff": "0.3", "webhook.delivery.tries": 1000,
                                     "webhook.delivery.timeout": 5})

    def tearDown(self):
        self.hs.close()
        self.rx.close()

    def limit_file_size(self, limit):
        """Soft limit `limit` bytes; the hard limit stays unlimited so it can be lifted."""
        resource.prlimit(self.hs.proc.pid, resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))

    def test_full_disk_refuses_intake_keeps_delivering_and_recovers(self):
        self.hs.start()
        held = self.hs.post_events(batch(200, "held"))  # accepted and stored; receiver failing
        data_file = os.path.join(self.hs.data_dir, "data.mdb")

        self.limit_file_size(os.path.getsize(data_file))  # the disk is full from here on
        body = ("\n".join(json.dumps(e) for e in batch(3000, "refused")) + "\n").encode()  # ~6 MB
        status, answer = self.hs.post(body, NDJSON)
        self.assertEqual(status, 503, answer)
        # EFBIG ("File too large"), or EIO when a page write straddles the limit (LMDB reports a
        # short write as EIO); a real full disk says ENOSPC. Each is refused the same way.
        self.assertRegex(answer["error"], r"^events not stored: LMDB mdb_txn_commit: (File too large|Input/output error)")
        self.assertEqual(self.hs.proc.poll(), None)  # still running

        # What it holds still goes out while the disk stays full.
        self.failing.clear()
        wait_for(lambda: set(held) <= {header(r, "X-CS-Event-ID") for r in self.rx.snapshot()},
                 timeout=60, what="the held deliveries, disk full")

        # Space returns: intake accepts again and delivers.
        self.limit_file_size(resource.RLIM_INFINITY)
        after = self.hs.post_events(batch(50, "after"))
        wait_for(lambda: set(after) <= {header(r, "X-CS-Event-ID") for r in self.rx.snapshot()},
                 timeout=30, what="deliveries after space returned")

        # Nothing of the refused batch was stored or sent; a restart loses nothing accepted.
        received = self.rx.snapshot()
        self.assertFalse(any(b'"refused ' in r["body"] for r in received))
        self.assertEqual(self.hs.stop(), 0)
        self.hs.start()
        wait_for(lambda: self.hs.deliveries()["all"]["pending"] == 0, timeout=30, what="nothing pending")
        ids = {header(r, "X-CS-Event-ID") for r in self.rx.snapshot()}
        self.assertEqual(set(held) | set(after), ids)
        self.assertRegex(self.hs.output(), "storage write failed: .*(File too large|Input/output error)")
        duplicated = sum(1 for r in self.rx.snapshot() if r["body"]) - len(ids)
        record_figures("full disk (fsync)", events=len(held) + len(after), pairs=len(held) + len(after),
                       lost=len((set(held) | set(after)) - ids), refused_events=3000,
                       refused_stored=0, requests_with_retries=duplicated + len(ids),
                       faults="file-size limit at the data file's size while 200 deliveries wait; "
                       "a 6 MB batch posted")


if __name__ == "__main__":
    unittest.main()
