"""A full disk: intake answers 503 and stores nothing of the refused batch, deliveries already
accepted keep going out, and once space returns everything continues; a restart loses
nothing.

With durability "fsync" the disk is "filled" with a file-size limit (RLIMIT_FSIZE) on the
running process, which makes LMDB's page writes beyond the current file size fail as they
would on a full disk. With "os" the data file is a writable map, written by plain stores
that no file-size limit sees (and that a real full disk turns into SIGBUS unless the blocks
were reserved first), so that test fills a real, small file system: a tmpfs mounted for it.
"""

import errno
import json
import os
import resource
import subprocess
import tempfile
import threading
import unittest

from harness import Hookshot, Receiver, event, header, record_figures, wait_for, webhook

NDJSON = {"Content-Type": "application/x-ndjson"}


SETTINGS = {"webhook.delivery.backoff": "0.3", "webhook.delivery.tries": 1000,
            "webhook.delivery.timeout": 5}


def batch(n, tag, pad=2000):
    return [event(description=f"{tag} {i}", padding="p" * pad) for i in range(n)]


def run_full_disk(test, hs, rx, failing, make_full, make_room, error, label, how):
    """The scenario both tests share: 200 deliveries wait (the receiver fails), the disk
    fills, a 6 MB batch is refused, the waiting deliveries still go out, room returns, a
    later batch is delivered, and a restart finds nothing lost and nothing pending."""
    hs.start()
    held = hs.post_events(batch(200, "held"))  # accepted and stored; receiver failing

    make_full()
    body = ("\n".join(json.dumps(e) for e in batch(3000, "refused")) + "\n").encode()  # ~6 MB
    status, answer = hs.post(body, NDJSON)
    test.assertEqual(status, 503, answer)
    test.assertRegex(answer["error"], error)
    test.assertEqual(hs.proc.poll(), None)  # still running

    # What it holds still goes out while the disk stays full.
    failing.clear()
    wait_for(lambda: set(held) <= {header(r, "X-CS-Event-ID") for r in rx.snapshot()},
             timeout=60, what="the held deliveries, disk full")

    # Space returns: intake accepts again and delivers.
    make_room()
    after = hs.post_events(batch(50, "after"))
    wait_for(lambda: set(after) <= {header(r, "X-CS-Event-ID") for r in rx.snapshot()},
             timeout=30, what="deliveries after space returned")

    # Nothing of the refused batch was stored or sent; a restart loses nothing accepted.
    received = rx.snapshot()
    test.assertFalse(any(b'"refused ' in r["body"] for r in received))
    test.assertEqual(hs.stop(), 0)
    hs.start()
    wait_for(lambda: hs.deliveries()["all"]["pending"] == 0, timeout=30, what="nothing pending")
    ids = {header(r, "X-CS-Event-ID") for r in rx.snapshot()}
    test.assertEqual(set(held) | set(after), ids)
    test.assertRegex(hs.output(), "storage write failed: .*" + error.split(": ", 1)[1])
    duplicated = sum(1 for r in rx.snapshot() if r["body"]) - len(ids)
    record_figures(label, events=len(held) + len(after), pairs=len(held) + len(after),
                   lost=len((set(held) | set(after)) - ids), refused_events=3000,
                   refused_stored=0, requests_with_retries=duplicated + len(ids),
                   faults=how + " while 200 deliveries wait; a 6 MB batch posted")


class FullDiskTest(unittest.TestCase):
    """durability fsync: pages are written with pwrite(); a file-size limit fills the disk."""

    def setUp(self):
        self.failing = threading.Event()
        self.failing.set()
        # Fails while `failing` is set, so accepted deliveries wait (stored) for retries.
        self.rx = Receiver(lambda i, req: (503, b"later", {}) if self.failing.is_set() else (200, b"ok", {}))
        self.hs = Hookshot([webhook("all", self.rx.url)], durability="fsync", settings=SETTINGS)

    def tearDown(self):
        self.hs.close()
        self.rx.close()

    def limit_file_size(self, limit):
        """Soft limit `limit` bytes; the hard limit stays unlimited so it can be lifted."""
        resource.prlimit(self.hs.proc.pid, resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))

    def test_full_disk_refuses_intake_keeps_delivering_and_recovers(self):
        data_file = os.path.join(self.hs.data_dir, "data.mdb")
        # EFBIG ("File too large"), or EIO when a page write straddles the limit (LMDB reports a
        # short write as EIO); a real full disk says ENOSPC. Each is refused the same way.
        run_full_disk(self, self.hs, self.rx, self.failing,
                      make_full=lambda: self.limit_file_size(os.path.getsize(data_file)),
                      make_room=lambda: self.limit_file_size(resource.RLIM_INFINITY),
                      error=r"^events not stored: LMDB mdb_txn_commit: (File too large|Input/output error)",
                      label="full disk (fsync)", how="file-size limit at the data file's size")


class FullDiskWritableMapTest(unittest.TestCase):
    """durability os: the data file is a writable map; a small tmpfs really fills up."""

    def setUp(self):
        self.mount = tempfile.mkdtemp(prefix="hookshot-full-disk-")
        self.addCleanup(os.rmdir, self.mount)
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", self.mount],
                                 capture_output=True, text=True)
        if mounted.returncode != 0:
            self.skipTest("mounting a tmpfs needs CAP_SYS_ADMIN: " + mounted.stderr.strip())
        self.addCleanup(subprocess.run, ["umount", "-l", self.mount], check=True)
        self.failing = threading.Event()
        self.failing.set()
        self.rx = Receiver(lambda i, req: (503, b"later", {}) if self.failing.is_set() else (200, b"ok", {}))
        self.hs = Hookshot([webhook("all", self.rx.url)], durability="os", settings=SETTINGS)
        self.hs.data_dir = os.path.join(self.mount, "data")
        self.hs.config["data_dir"] = self.hs.data_dir
        self.hs.write_config()
        self.filler = os.path.join(self.mount, "filler")

    def tearDown(self):
        self.hs.close()
        self.rx.close()

    def fill(self):
        """Writes the file system full: 1 MiB at a time, then page by page."""
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            for size in (1 << 20, 4096):
                try:
                    while True:
                        os.write(fd, b"\0" * size)
                except OSError as e:
                    self.assertEqual(e.errno, errno.ENOSPC)
        finally:
            os.close(fd)

    def test_full_disk_with_a_writable_map_is_an_error_not_sigbus(self):
        run_full_disk(self, self.hs, self.rx, self.failing, make_full=self.fill,
                      make_room=lambda: os.unlink(self.filler),
                      error=r"^events not stored: cannot reserve disk space for the data file: No space left on device",
                      label="full disk (os, writable map)", how="a 64 MiB tmpfs written full")


if __name__ == "__main__":
    unittest.main()
