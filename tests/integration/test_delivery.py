"""Deliveries through the real binary: exact bytes, signature, retries, timeouts, the delivery
log ring, disabled webhooks and scope routing."""

import base64
import hashlib
import hmac
import json
import unittest

from harness import (ADMIN, ALICE, BOB, CHILD, CHILD_ADMIN, GRANDCHILD, Hookshot, Receiver,
                     event, header, wait_for, webhook)


class DeliveryTest(unittest.TestCase):
    def setUp(self):
        self.receivers = []
        self.hookshot = None

    def tearDown(self):
        if self.hookshot:
            self.hookshot.close()
        for r in self.receivers:
            r.close()

    def receiver(self, responder=None):
        r = Receiver(responder)
        self.receivers.append(r)
        return r

    def start(self, webhooks, **kw):
        self.hookshot = Hookshot(webhooks, **kw).start()
        return self.hookshot

    def test_exact_headers_body_and_independent_signature(self):
        rx = self.receiver()
        hs = self.start([webhook("signed", rx.url, secretkey="s3cr3t-key")])
        # Unusual but valid JSON spacing and key order: must arrive byte for byte.
        body = b'{ "event":"VM.CREATE" ,"account":"%s","status":"Completed","description":"caf\xc3\xa9"}' % ALICE.encode()
        status, answer = hs.post(body, {"Content-Type": "application/json",
                                        "X-CS-Event-ID": "e1e1e1e1-0000-4000-8000-000000000001"})
        self.assertEqual(status, 202)
        self.assertEqual(answer["events"], ["e1e1e1e1-0000-4000-8000-000000000001"])
        wait_for(lambda: rx.count() == 1, what="one delivery")
        req = rx.snapshot()[0]
        self.assertEqual(req["body"], body)
        self.assertEqual(req["path"], "/hook")
        names = [k for k, _ in req["headers"]]
        self.assertEqual(header(req, "X-CS-Event-ID"), "e1e1e1e1-0000-4000-8000-000000000001")
        self.assertEqual(header(req, "X-CS-Event"), "VM.CREATE")
        self.assertEqual(header(req, "User-Agent"), "CS-Hookshot/" + ALICE)
        self.assertEqual(header(req, "Content-Type"), "application/json; charset=UTF-8")
        self.assertEqual(header(req, "Content-Length"), str(len(body)))
        expected = base64.b64encode(hmac.new(b"s3cr3t-key", body, hashlib.sha256).digest()).decode()
        self.assertEqual(header(req, "X-CS-Signature"), expected)
        # Nothing CloudStack would not send (transport headers aside).
        self.assertEqual(sorted(n.lower() for n in names),
                         sorted(["host", "x-cs-event-id", "x-cs-event", "user-agent",
                                 "x-cs-signature", "content-type", "content-length"]))

        def recorded():
            d = hs.deliveries()["signed"]
            return d if d["webhookdelivery"] and d["pending"] == 0 else None

        d = wait_for(recorded, what="the delivery record")
        rec = d["webhookdelivery"][0]
        self.assertTrue(rec["success"])
        self.assertEqual(rec["attempts"], 1)
        self.assertEqual(rec["httpstatus"], 200)
        self.assertEqual(rec["payload"].encode(), body)
        self.assertEqual(rec["eventtype"], "VM.CREATE")
        self.assertEqual(rec["managementserverid"], "ms-test-id")
        self.assertIn("X-CS-Signature: " + expected, rec["headers"])
        self.assertEqual(rec["response"], "ok")

    def test_no_signature_without_secret(self):
        rx = self.receiver()
        hs = self.start([webhook("plain", rx.url)])
        hs.post_events([event()])
        wait_for(lambda: rx.count() == 1)
        self.assertIsNone(header(rx.snapshot()[0], "X-CS-Signature"))

    def test_500_twice_then_200_is_one_successful_record_of_three_attempts(self):
        rx = self.receiver(lambda i, req: (500, b"boom", {}) if i < 2 else (200, b"fine", {}))
        hs = self.start([webhook("flaky", rx.url, secretkey="flaky-key")],
                        settings={"webhook.delivery.backoff": "0.2", "webhook.delivery.tries": 3})
        [eid] = hs.post_events([event()])
        wait_for(lambda: rx.count() == 3, what="three attempts")
        reqs = rx.snapshot()
        self.assertTrue(all(header(r, "X-CS-Event-ID") == eid for r in reqs))
        # Each attempt is signed (a retry signs again), and the record keeps the last one's.
        expected = base64.b64encode(hmac.new(b"flaky-key", reqs[0]["body"], hashlib.sha256).digest()).decode()
        self.assertEqual([header(r, "X-CS-Signature") for r in reqs], [expected] * 3)
        # The backoff separates attempts (0.2 s +-20 %).
        self.assertGreaterEqual(reqs[1]["time"] - reqs[0]["time"], 0.15)
        self.assertGreaterEqual(reqs[2]["time"] - reqs[1]["time"], 0.15)
        d = wait_for(lambda: (lambda w: w if w["webhookdelivery"] else None)(hs.deliveries()["flaky"]))
        self.assertEqual(len(d["webhookdelivery"]), 1)
        rec = d["webhookdelivery"][0]
        self.assertTrue(rec["success"])
        self.assertEqual(rec["attempts"], 3)
        self.assertEqual(rec["response"], "fine")
        self.assertIn("X-CS-Signature: " + expected, rec["headers"])
        self.assertEqual(d["pending"], 0)
        self.assertEqual(rx.count(), 3)

    def test_a_short_retry_wait_keeps_the_event_a_long_one_reads_it_back(self):
        rx = self.receiver(lambda i, req: (500, b"boom", {}) if i < 2 else (200, b"fine", {}))
        # Waits of 0.2 s (kept: up to 2 s) and 3 s +-20 % (read back from storage).
        hs = self.start([webhook("flaky", rx.url)],
                        settings={"webhook.delivery.backoff": "0.2,3", "webhook.delivery.tries": 3})
        hs.post_events([event()])
        wait_for(lambda: rx.count() == 2, what="two attempts")
        self.assertEqual(hs.metric("hookshot_event_reads_total"), 0)
        wait_for(lambda: rx.count() == 3, timeout=10, what="the third attempt")
        self.assertEqual(hs.metric("hookshot_event_reads_total"), 1)
        bodies = {r["body"] for r in rx.snapshot()}
        self.assertEqual(len(bodies), 1)  # the same event, read back byte for byte

    def test_a_backlog_keeps_its_events_within_the_memory_budget(self):
        # 600 events reach the webhook in one message: the first 256 in line keep their event
        # whatever the budget; the other 344 keep it while webhook.delivery.backlog.memory.mb
        # has room, and are read back from storage when it has none.
        for budget_mb, reads in ((64, 0), (0, 344)):
            with self.subTest(budget_mb=budget_mb):
                rx = self.receiver()
                hs = self.start([webhook("busy", rx.url)],
                                settings={"webhook.delivery.backlog.memory.mb": budget_mb})
                hs.post_events([event(n=i) for i in range(600)])
                wait_for(lambda: rx.count() == 600, timeout=60, what="600 deliveries")
                self.assertEqual(hs.metric("hookshot_event_reads_total"), reads)
                # Every event held is given back once its delivery ends.
                wait_for(lambda: hs.metric("hookshot_backlog_event_bytes") == 0,
                         what="the budget given back")
                self.assertEqual(len({r["body"] for r in rx.snapshot()}), 600)
                hs.close()
                self.hookshot = None

    def test_any_2xx_is_success(self):
        rx = self.receiver(lambda i, req: (204, b"", {}))
        hs = self.start([webhook("nocontent", rx.url)])
        hs.post_events([event()])
        d = wait_for(lambda: (lambda w: w if w["webhookdelivery"] else None)(hs.deliveries()["nocontent"]))
        self.assertTrue(d["webhookdelivery"][0]["success"])
        self.assertEqual(d["webhookdelivery"][0]["httpstatus"], 204)
        self.assertEqual(rx.count(), 1)

    def test_failure_after_all_tries_is_recorded_with_last_response(self):
        rx = self.receiver(lambda i, req: (503, b"down %d" % i, {}))
        hs = self.start([webhook("down", rx.url)],
                        settings={"webhook.delivery.backoff": "0", "webhook.delivery.tries": 2})
        hs.post_events([event()])
        d = wait_for(lambda: (lambda w: w if w["webhookdelivery"] else None)(hs.deliveries()["down"]))
        rec = d["webhookdelivery"][0]
        self.assertFalse(rec["success"])
        self.assertEqual(rec["attempts"], 2)
        self.assertEqual(rec["httpstatus"], 503)
        self.assertEqual(rec["response"], "down 1")
        self.assertEqual(rx.count(), 2)

    def test_receiver_that_never_answers_times_out_and_fails(self):
        rx = self.receiver(lambda i, req: None)
        hs = self.start([webhook("silent", rx.url)],
                        settings={"webhook.delivery.timeout": 1, "webhook.delivery.tries": 2,
                                  "webhook.delivery.backoff": "0"})
        hs.post_events([event()])
        d = wait_for(lambda: (lambda w: w if w["webhookdelivery"] else None)(hs.deliveries()["silent"]),
                     timeout=15, what="the timeout record")
        rec = d["webhookdelivery"][0]
        self.assertFalse(rec["success"])
        self.assertEqual(rec["attempts"], 2)
        self.assertEqual(rec["httpstatus"], 0)
        self.assertTrue(rec["response"].startswith("Failed due to : "), rec["response"])
        self.assertIn("timed out", rec["response"].lower())
        self.assertGreaterEqual(rec["durationms"], 900)
        self.assertLess(rec["durationms"], 5000)

    def test_retry_after_is_honoured(self):
        rx = self.receiver(lambda i, req: (429, b"slow down", {"Retry-After": "1"}) if i == 0
                           else (200, b"", {}))
        hs = self.start([webhook("limited", rx.url)],
                        settings={"webhook.delivery.backoff": "0.05"})
        hs.post_events([event()])
        wait_for(lambda: rx.count() == 2, what="the retry")
        reqs = rx.snapshot()
        self.assertGreaterEqual(reqs[1]["time"] - reqs[0]["time"], 0.9)

    def test_a_retry_due_sooner_overtakes_one_waiting_longer(self):
        # The webhook's waiting deliveries share one timer: the first event waits 2 s
        # (Retry-After), then the second fails with a 0.3 s wait and must not sit behind it.
        def respond(i, req):
            if i == 0:
                return (503, b"later", {"Retry-After": "2"})
            if i == 1:
                return (500, b"soon", {})
            return (200, b"", {})
        rx = self.receiver(respond)
        hs = self.start([webhook("waits", rx.url)],
                        settings={"webhook.delivery.backoff": "0.3", "webhook.delivery.tries": 3,
                                  "webhook.delivery.max.inflight": 1})
        [first] = hs.post_events([event()])
        wait_for(lambda: rx.count() == 1, what="the first attempt")
        [second] = hs.post_events([event()])
        wait_for(lambda: rx.count() == 4, timeout=10, what="both retries")
        reqs = rx.snapshot()
        ids = [header(r, "X-CS-Event-ID") for r in reqs]
        self.assertEqual(ids, [first, second, second, first])
        self.assertLess(reqs[2]["time"] - reqs[1]["time"], 1.0)
        self.assertGreaterEqual(reqs[3]["time"] - reqs[0]["time"], 1.9)

    def test_ring_keeps_only_the_newest_n_records(self):
        rx = self.receiver()
        hs = self.start([webhook("ring", rx.url)], settings={"webhook.deliveries.limit": 3})
        ids = []
        for i in range(5):  # each recorded before the next is sent: completion order is known
            ids += hs.post_events([event(description=f"n{i}")])
            wait_for(lambda: hs.deliveries()["ring"]["webhookdelivery"][:1] and
                     hs.deliveries()["ring"]["webhookdelivery"][0]["eventid"] == ids[-1])
        d = wait_for(lambda: (lambda w: w if len(w["webhookdelivery"]) == 3 and w["pending"] == 0
                              else None)(hs.deliveries()["ring"]))
        got = [r["eventid"] for r in d["webhookdelivery"]]
        self.assertEqual(got, list(reversed(ids[2:])))  # newest first

    def test_disabled_webhook_gets_nothing(self):
        on, off = self.receiver(), self.receiver()
        hs = self.start([webhook("on", on.url), webhook("off", off.url, state="Disabled")])
        hs.post_events([event() for _ in range(3)])
        wait_for(lambda: on.count() == 3)
        self.assertEqual(off.count(), 0)
        self.assertEqual(hs.deliveries()["off"]["pending"], 0)

    def test_scopes_route_through_the_real_binary(self):
        rx = {n: self.receiver() for n in ["global", "child-domain", "alice-local", "bob-local"]}
        hs = self.start([
            webhook("global", rx["global"].url),
            webhook("child-domain", rx["child-domain"].url, account="child-admin", scope="Domain"),
            webhook("alice-local", rx["alice-local"].url, account="alice", scope="Local"),
            webhook("bob-local", rx["bob-local"].url, account="bob", scope="Local"),
        ])
        hs.post_events([event(account=ALICE, type_="A.GRANDCHILD"),   # grandchild of CHILD
                        event(account=BOB, type_="B.SIBLING"),        # sibling of CHILD
                        event(account=CHILD_ADMIN, type_="C.CHILD"),
                        event(account=ADMIN, type_="D.ROOT"),
                        event(account="unknown-account", type_="E.UNKNOWN"),
                        event(account=ALICE, type_="F.ALERT", category="AlertEvent")])
        wait_for(lambda: rx["global"].count() == 5, what="global deliveries")
        wait_for(lambda: rx["child-domain"].count() == 2 and rx["alice-local"].count() == 1
                 and rx["bob-local"].count() == 1, what="scoped deliveries")

        def types(r):
            return sorted(header(q, "X-CS-Event") for q in r.snapshot())

        self.assertEqual(types(rx["global"]), ["A.GRANDCHILD", "B.SIBLING", "C.CHILD", "D.ROOT", "E.UNKNOWN"])
        self.assertEqual(types(rx["child-domain"]), ["A.GRANDCHILD", "C.CHILD"])
        self.assertEqual(types(rx["alice-local"]), ["A.GRANDCHILD"])
        self.assertEqual(types(rx["bob-local"]), ["B.SIBLING"])

    def test_domain_settings_override_global_ones(self):
        rx = self.receiver(lambda i, req: (500, b"", {}))
        hs = Hookshot([webhook("alice-local", rx.url, account="alice", scope="Local")],
                      settings={"webhook.delivery.tries": 2, "webhook.delivery.backoff": "0"})
        hs.config["domains"][1]["settings"] = {"webhook.delivery.tries": 4}  # CHILD, parent of alice's
        hs.write_config()
        self.hookshot = hs.start()
        hs.post_events([event()])
        d = wait_for(lambda: (lambda w: w if w["webhookdelivery"] else None)(hs.deliveries()["alice-local"]))
        self.assertEqual(d["webhookdelivery"][0]["attempts"], 4)
        self.assertEqual(rx.count(), 4)


if __name__ == "__main__":
    unittest.main()
