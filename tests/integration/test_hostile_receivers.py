"""Hostile receivers: each ends as a clear delivery record within its timeout, and none of them
slows delivery to a healthy receiver served at the same time."""

import socket
import struct
import threading
import time
import unittest

from harness import ALICE, BOB, Hookshot, Receiver, event, record_figures, wait_for, webhook

TIMEOUT_S = 3


class RawServer:
    """A TCP server on 127.0.0.1 whose `behave(conn)` gets each connection after the request."""

    def __init__(self, behave):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/hook"
        self.behave = behave
        self.closed = threading.Event()
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while not self.closed.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    def serve(self, conn):
        try:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            self.behave(conn, self.closed)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self):
        self.closed.set()
        self.sock.close()


def trickle(conn, closed):
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
    while not closed.is_set():  # one byte every half second: never done within the timeout
        conn.sendall(b"x")
        time.sleep(0.5)


def reset(conn, closed):
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close sends RST


class HostileReceiversTest(unittest.TestCase):
    def setUp(self):
        big = b"y" * (100 << 20)
        self.healthy = Receiver()
        self.receivers = {
            "silent": Receiver(lambda i, req: None),
            "huge": Receiver(lambda i, req: (200, big, {})),
            "redirect": Receiver(lambda i, req: (302, b"", {"Location": "http://127.0.0.1:1/elsewhere"})),
            "gone": Receiver(lambda i, req: (410, b"gone for good", {})),
            "limited": Receiver(lambda i, req: (429, b"slow down", {"Retry-After": "1"}) if i == 0
                                else (200, b"", {})),
        }
        self.raw = {"trickle": RawServer(trickle), "reset": RawServer(reset)}
        # The healthy receiver is Global; the hostile ones are alice's Local webhooks, so one
        # event of alice reaches them all and a burst from bob only the healthy one.
        hooks = [webhook("healthy", self.healthy.url)]
        hooks += [webhook(n, r.url, account="alice", scope="Local")
                  for n, r in list(self.receivers.items()) + list(self.raw.items())]
        self.hs = Hookshot(hooks, settings={"webhook.delivery.timeout": TIMEOUT_S, "webhook.delivery.tries": 2,
                                            "webhook.delivery.backoff": "0.5"}).start()

    def tearDown(self):
        self.hs.close()
        for r in list(self.receivers.values()) + [self.healthy]:
            r.close()
        for r in self.raw.values():
            r.close()

    def test_each_ends_as_a_clear_record_and_healthy_delivery_holds(self):
        started = time.monotonic()
        self.hs.post_events([event(account=ALICE)])
        wait_for(lambda: self.healthy.count() == 1, timeout=5)
        healthy_first = time.monotonic() - started
        # While the hostile ones are still being tried, more events reach the healthy receiver
        # as fast as ever.
        t0 = time.monotonic()
        self.hs.post_events([event(account=BOB) for _ in range(200)])
        wait_for(lambda: self.healthy.count() == 201, timeout=10, what="200 healthy deliveries")
        healthy_burst = time.monotonic() - t0
        self.assertLess(healthy_first, 1.0)
        self.assertLess(healthy_burst, TIMEOUT_S)  # never waits behind a hostile receiver's timeout

        def first_record(name):
            records = self.hs.deliveries()[name]["webhookdelivery"]
            return records[0] if records else None  # each hostile webhook gets one event

        expect = {
            "silent": (False, 0, "timed out"),
            "trickle": (False, 0, "timed out"),
            "reset": (False, 0, "Failed due to : "),
            "huge": (True, 200, "yyyy"),
            "redirect": (False, 302, "Delivery failed due to redirect status code 302 while redirects are disabled"),
            "gone": (False, 410, "gone for good"),
            "limited": (True, 200, ""),
        }
        limit = 2 * TIMEOUT_S + 0.5 * 1.2 + 5  # two tries, one backoff, slack
        for name, (success, status, text) in expect.items():
            with self.subTest(receiver=name):
                rec = wait_for(lambda: first_record(name), timeout=limit, what=f"the {name} record")
                self.assertEqual((rec["success"], rec["httpstatus"]), (success, status), rec["response"][:200])
                self.assertIn(text, rec["response"])
                self.assertLessEqual(len(rec["response"]), 8192)  # bodies are truncated in the log
                self.assertLess(rec["durationms"], TIMEOUT_S * 1000 + 1500)
        self.assertEqual(first_record("limited")["attempts"], 2)
        self.assertEqual(first_record("gone")["attempts"], 2)
        limited = self.receivers["limited"].snapshot()
        self.assertGreaterEqual(limited[1]["time"] - limited[0]["time"], 0.9)  # Retry-After: 1
        record_figures("hostile receivers", faults=", ".join(expect), hostile=len(expect),
                       healthy_first_s=round(healthy_first, 3), healthy_200_s=round(healthy_burst, 3),
                       timeout_s=TIMEOUT_S)


if __name__ == "__main__":
    unittest.main()
