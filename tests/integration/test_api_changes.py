"""createWebhook, updateWebhook and deleteWebhook through python3-cs: every change takes effect
in routing and delivery at once, survives a restart, and follows CloudStack's rules."""

import base64
import hashlib
import hmac
import threading
import time
import unittest

from harness import ALICE, BOB, GRANDCHILD, SIBLING, ApiTestCase, event, header, wait_for


class ApiChangesTest(ApiTestCase, unittest.TestCase):
    settings = {"webhook.delivery.backoff": "1"}

    def paths(self):
        return [r["path"] for r in self.rx.snapshot()]

    def test_create_routes_at_once_and_survives_restart(self):
        w = self.client("alice").createWebhook(name="mine", payloadurl=self.rx.url + "/alice")["webhook"]
        self.assertEqual((w["scope"], w["state"], w["account"], w["domainid"]), ("Local", "Enabled", "alice", GRANDCHILD))
        self.hs.post_events([event(account=ALICE), event(account=BOB)])
        wait_for(lambda: self.rx.count() == 1)
        time.sleep(0.3)
        self.assertEqual(self.paths(), ["/hook/alice"])  # Local: bob's event does not match
        self.assertEqual(self.hs.stop(), 0)
        self.hs.start()
        listed = self.client("alice").listWebhooks()["webhook"]
        self.assertEqual([x["id"] for x in listed], [w["id"]])

    def test_create_follows_cloudstack_rules(self):
        alice = self.client("alice")
        self.assertEqual(self.error_text(alice.createWebhook, name="g", payloadurl="127.0.0.9", scope="Global"),
                         (431, "Scope Global can not be specified for owner alice"))
        self.assertEqual(self.error_text(alice.createWebhook, name="d", payloadurl="127.0.0.9", scope="Domain"),
                         (431, "Scope Domain can not be specified for owner alice"))
        self.assertEqual(self.error_text(alice.createWebhook, name="s", payloadurl="http://127.0.0.9",
                                         sslverification=True),
                         (431, "SSL verification can be specified only for HTTPS URLs, http://127.0.0.9"))
        self.assertEqual(self.error_text(alice.createWebhook, payloadurl="127.0.0.9"), (431, "Missing parameter name"))
        self.assertEqual(self.error_text(alice.createWebhook, name="x", payloadurl="127.0.0.9", state="Paused"),
                         (431, "Invalid state specified"))
        self.assertEqual(self.error_text(alice.createWebhook, name="x", payloadurl="http:///nohost"),
                         (431, "Invalid webhook payload URL host in [http:///nohost]"))
        first = alice.createWebhook(name="one", payloadurl="127.0.0.8/x")["webhook"]
        self.assertEqual(first["payloadurl"], "http://127.0.0.8/x")  # normalised
        self.assertEqual(self.error_text(alice.createWebhook, name="two", payloadurl="http://127.0.0.8/x"),
                         (431, "Payload URL: http://127.0.0.8/x is already in use by another webhook"))
        # The same URL for another owner is fine.
        self.client("bob").createWebhook(name="bobs", payloadurl="127.0.0.8/x")
        # An admin creates for another account; a domain admin may not reach outside its domain.
        made = self.client("admin").createWebhook(name="for-alice", payloadurl="127.0.0.10", account="alice",
                                                  domainid=GRANDCHILD)["webhook"]
        self.assertEqual(made["account"], "alice")
        status, _ = self.error_text(self.client("child-admin").createWebhook, name="x", payloadurl="127.0.0.11",
                                    account="bob", domainid=SIBLING)
        self.assertEqual(status, 531)

    def test_change_access_matrix(self):
        # Webhooks owned by: the root admin, the child domain's admin, alice (a subdomain of
        # child) and bob (a sibling domain).
        hooks = {}
        for owner in ["admin", "child-admin", "alice", "bob"]:
            hooks[owner] = self.client(owner).createWebhook(name=owner, payloadurl="127.0.0.9/" + owner)["webhook"]["id"]
        allowed = {
            "admin": {"admin", "child-admin", "alice", "bob"},  # everything
            "child-admin": {"child-admin", "alice"},            # own and subdomain, not sibling/root
            "alice": {"alice"},                                  # own only
        }
        for caller, may in allowed.items():
            for owner, hook in hooks.items():
                with self.subTest(caller=caller, owner=owner):
                    if owner in may:
                        w = self.client(caller).updateWebhook(id=hook, description="by " + caller)["webhook"]
                        self.assertEqual(w["description"], "by " + caller)
                    else:
                        status, _ = self.error_text(self.client(caller).updateWebhook, id=hook, description="x")
                        self.assertEqual(status, 531)

    def test_remaining_error_messages(self):
        c = self.client("alice")
        self.assertEqual(self.error_text(c.createWebhook, name="x", payloadurl="127.0.0.9", scope="Galaxy")[1],
                         "Invalid scope specified")
        one = c.createWebhook(name="one", payloadurl="127.0.0.9/1")["webhook"]
        c.createWebhook(name="two", payloadurl="127.0.0.9/2")
        self.assertEqual(self.error_text(c.updateWebhook, id=one["id"], payloadurl="127.0.0.9/2")[1],
                         "Payload URL: http://127.0.0.9/2 is already in use by another webhook")
        self.assertEqual(self.error_text(c.updateWebhook, id=one["id"], scope="Global")[1],
                         "Scope Global can not be specified for owner alice")
        self.assertEqual(self.error_text(self.client("admin").listWebhookDeliveries,
                                         managementserverid="elsewhere")[1],
                         "Invalid management server specified")
        self.assertEqual(self.error_text(c.createWebhook, name="x", payloadurl="ftp://127.0.0.9")[1],
                         "Invalid webhook payload URL host in [http://ftp://127.0.0.9]")

    def test_domain_webhook_of_a_domain_admin_gets_its_subdomains(self):
        w = self.client("child-admin").createWebhook(name="tree", payloadurl=self.rx.url + "/tree",
                                                     scope="Domain", domainid=GRANDCHILD)["webhook"]
        self.assertEqual(w["domainid"], GRANDCHILD)
        self.hs.post_events([event(account=ALICE), event(account=BOB)])
        wait_for(lambda: self.rx.count() == 1)
        time.sleep(0.3)
        self.assertEqual(self.rx.count(), 1)

    def test_update_takes_effect_at_once(self):
        c = self.client("alice")
        w = c.createWebhook(name="w", payloadurl=self.rx.url + "/one")["webhook"]
        c.updateWebhook(id=w["id"], payloadurl=self.rx.url + "/two", secretkey="new-key", name="renamed",
                        description="moved")
        body_ids = self.hs.post_events([event(account=ALICE)])
        wait_for(lambda: self.rx.count() == 1)
        req = self.rx.snapshot()[0]
        self.assertEqual(req["path"], "/hook/two")
        self.assertEqual(header(req, "X-CS-Event-ID"), body_ids[0])
        expected = base64.b64encode(hmac.new(b"new-key", req["body"], hashlib.sha256).digest()).decode()
        self.assertEqual(header(req, "X-CS-Signature"), expected)
        listed = c.listWebhooks(id=w["id"])["webhook"][0]
        self.assertEqual((listed["name"], listed["description"]), ("renamed", "moved"))
        # A blank secret clears it.
        c.updateWebhook(id=w["id"], secretkey="")
        self.hs.post_events([event(account=ALICE)])
        wait_for(lambda: self.rx.count() == 2)
        self.assertIsNone(header(self.rx.snapshot()[1], "X-CS-Signature"))
        self.assertEqual(self.error_text(c.updateWebhook, id=w["id"], sslverification=True)[1],
                         "SSL verification can be specified only for HTTPS URLs, " + self.rx.url + "/two")
        self.assertEqual(self.error_text(c.updateWebhook, id="00000000-0000-0000-0000-000000000000")[1],
                         "Unable to find the webhook with the specified ID")
        self.assertEqual(self.error_text(self.client("bob").updateWebhook, id=w["id"], name="mine")[0], 531)

    def test_disabled_keeps_pending_deliveries_and_enable_resumes_them(self):
        fail_first = threading.Event()
        self.rx.responder = lambda i, req: (500, b"", {}) if not fail_first.is_set() else (200, b"", {})
        c = self.client("alice")
        w = c.createWebhook(name="w", payloadurl=self.rx.url + "/w")["webhook"]
        self.hs.post_events([event(account=ALICE)])
        wait_for(lambda: self.rx.count() == 1, what="the first attempt")
        c.updateWebhook(id=w["id"], state="Disabled")
        fail_first.set()
        time.sleep(1.6)  # the retry was due after about 1 s
        self.assertEqual(self.rx.count(), 1)
        self.hs.post_events([event(account=ALICE)])  # not routed while disabled
        time.sleep(0.3)
        self.assertEqual(self.rx.count(), 1)
        self.assertEqual(self.hs.deliveries()["w"]["pending"], 1)
        c.updateWebhook(id=w["id"], state="Enabled")
        wait_for(lambda: self.rx.count() == 2, what="the retry after enabling")
        rec = wait_for(lambda: self.hs.deliveries()["w"]["webhookdelivery"])[0]
        self.assertTrue(rec["success"])
        self.assertEqual(rec["attempts"], 2)

    def test_delete_stops_deliveries_and_drops_pending_ones(self):
        self.rx.responder = lambda i, req: (500, b"", {})
        c = self.client("alice")
        w = c.createWebhook(name="w", payloadurl=self.rx.url + "/w")["webhook"]
        self.hs.post_events([event(account=ALICE)])
        wait_for(lambda: self.rx.count() == 1)
        self.assertEqual(self.error_text(self.client("bob").deleteWebhook, id=w["id"])[0], 531)
        self.assertEqual(c.deleteWebhook(id=w["id"]), {"success": True})
        self.assertEqual(c.listWebhooks(), {})
        self.assertEqual(self.hs.deliveries(), {})  # webhook, pending delivery and log are gone
        self.hs.post_events([event(account=ALICE)])
        time.sleep(1.5)  # neither the retry nor the new event arrives
        self.assertEqual(self.rx.count(), 1)
        self.assertEqual(self.error_text(c.deleteWebhook, id=w["id"])[1],
                         "Unable to find the webhook with the specified ID")


    def test_deleting_a_webhook_gives_back_the_memory_its_backlog_held(self):
        self.rx.responder = lambda i, req: None  # hang: the backlog stays in line
        c = self.client("alice")
        w = c.createWebhook(name="w", payloadurl=self.rx.url + "/w")["webhook"]
        # 600 events: beyond the first 256 in line, each event held counts in the budget.
        self.hs.post_events([event(account=ALICE, n=i) for i in range(600)])
        wait_for(lambda: self.hs.metric("hookshot_backlog_event_bytes") > 0,
                 what="events held beyond the line")
        self.assertEqual(c.deleteWebhook(id=w["id"]), {"success": True})
        wait_for(lambda: self.hs.metric("hookshot_backlog_event_bytes") == 0,
                 what="the budget given back")
        self.assertEqual(self.hs.metric("hookshot_pending_deliveries"), 0)

    def test_a_hanging_receivers_backlog_reaches_the_memory_budget_in_batches(self):
        self.rx.responder = lambda i, req: None  # hang: the webhook's slots stay taken
        c = self.client("alice")
        c.createWebhook(name="w", payloadurl=self.rx.url + "/w")
        self.hs.post_events([event(account=ALICE, n=i) for i in range(20)])
        wait_for(lambda: self.rx.count() == 16, what="every slot taken")
        # Batches for a webhook that cannot start them wait in its delivery box until the box
        # holds what the webhook's line has left of the 256 deliveries it holds in memory
        # whatever the budget; then the webhook takes them into its line, and those beyond
        # the 256 count in the budget.
        for b in range(6):
            self.hs.post_events([event(account=ALICE, n=20 + 100 * b + i) for i in range(100)])
        wait_for(lambda: self.hs.metric("hookshot_backlog_event_bytes") > 0,
                 what="events beyond the line counted in the budget")
        wait_for(lambda: self.hs.metric("hookshot_pending_deliveries") == 620,
                 what="every delivery counted once")
        self.assertEqual(self.rx.count(), 16)  # no slot freed: nothing else started

    def test_deleting_a_busy_webhook_drops_the_deliveries_waiting_for_a_slot(self):
        self.rx.responder = lambda i, req: None  # hang: the webhook's 16 slots stay taken
        c = self.client("alice")
        w = c.createWebhook(name="w", payloadurl=self.rx.url + "/w")["webhook"]
        self.hs.post_events([event(account=ALICE, n=i) for i in range(20)])
        wait_for(lambda: self.rx.count() == 16, what="every slot taken")
        # These wait in the webhook's delivery box (no slot is free, so nobody takes them),
        # counted as pending.
        self.hs.post_events([event(account=ALICE, n=20 + i) for i in range(100)])
        wait_for(lambda: self.hs.metric("hookshot_pending_deliveries") == 120,
                 what="the new deliveries counted")
        self.assertEqual(self.hs.deliveries()["w"]["pending"], 120)
        self.assertEqual(self.rx.count(), 16)
        self.assertEqual(c.deleteWebhook(id=w["id"]), {"success": True})
        wait_for(lambda: self.hs.metric("hookshot_pending_deliveries") == 0,
                 what="every pending delivery dropped")
        self.assertEqual(self.hs.deliveries(), {})  # none of the 120 is left on disk
        self.assertEqual(self.rx.count(), 16)  # and none was started by the delete

if __name__ == "__main__":
    unittest.main()
