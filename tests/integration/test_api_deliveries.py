"""executeWebhookDelivery and deleteWebhookDelivery through python3-cs, and the CloudStack
client's end-to-end flow: create, list, update, add a filter, test, list deliveries, redeliver,
delete."""

import base64
import hashlib
import hmac
import unittest

from harness import ALICE, BOB, ApiTestCase, event, header, wait_for


class ApiDeliveriesTest(ApiTestCase, unittest.TestCase):
    settings = {"webhook.delivery.backoff": "0"}

    def test_test_delivery_to_a_webhook_is_signed_and_not_recorded(self):
        c = self.client("alice")
        w = c.createWebhook(name="w", payloadurl=self.rx.url + "/w", secretkey="k")["webhook"]
        d = c.executeWebhookDelivery(webhookid=w["id"])["webhookdelivery"]
        self.assertTrue(d["success"])
        self.assertEqual((d["eventtype"], d["webhookid"], d["webhookname"]), ("TEST.WEBHOOK", w["id"], "w"))
        self.assertNotIn("eventid", d)
        self.assertEqual(d["payload"], '{ "CloudStack": "works!" }')
        req = self.rx.snapshot()[0]
        self.assertEqual(req["body"], b'{ "CloudStack": "works!" }')
        self.assertEqual(header(req, "X-CS-Event"), "TEST.WEBHOOK")
        self.assertEqual(header(req, "User-Agent"), "CS-Hookshot/" + ALICE)
        self.assertEqual(header(req, "X-CS-Signature"),
                         base64.b64encode(hmac.new(b"k", req["body"], hashlib.sha256).digest()).decode())
        self.assertEqual(c.listWebhookDeliveries(), {})  # tests are not recorded

    def test_test_overrides_and_ad_hoc_urls(self):
        c = self.client("alice")
        w = c.createWebhook(name="w", payloadurl=self.rx.url + "/w")["webhook"]
        c.executeWebhookDelivery(webhookid=w["id"], payloadurl=self.rx.url + "/other", secretkey="s2",
                                 payload="plain words")
        req = self.rx.snapshot()[0]
        self.assertEqual((req["path"], req["body"]), ("/hook/other", b"plain words"))
        self.assertEqual(header(req, "Content-Type"), "text/plain; charset=UTF-8")
        self.assertIsNotNone(header(req, "X-CS-Signature"))
        d = c.executeWebhookDelivery(payloadurl=self.rx.url + "/adhoc")["webhookdelivery"]
        self.assertEqual((d["webhookname"], d["success"]), ("Test", True))
        self.assertEqual(self.rx.snapshot()[1]["path"], "/hook/adhoc")

    def test_a_failing_test_uses_every_try(self):
        self.rx.responder = lambda i, req: (503, b"down", {})
        c = self.client("alice")
        d = c.executeWebhookDelivery(payloadurl=self.rx.url)["webhookdelivery"]
        self.assertEqual((d["success"], d["response"], d["attempts"], d["httpstatus"]), (False, "down", 3, 503))
        self.assertEqual(self.rx.count(), 3)

    def test_execute_rules(self):
        c = self.client("alice")
        self.assertEqual(self.error_text(c.executeWebhookDelivery)[1],
                         "One of the id, webhookid or payloadurl must be specified")
        self.assertEqual(self.error_text(c.executeWebhookDelivery, id="x", payloadurl="127.0.0.9")[1],
                         "id cannot be specified with webhookid or payloadurl")
        w = self.client("bob").createWebhook(name="b", payloadurl=self.rx.url + "/b")["webhook"]
        self.assertEqual(self.error_text(c.executeWebhookDelivery, webhookid=w["id"])[0], 531)

    def test_redelivery_is_a_new_record_of_the_same_event(self):
        c = self.client("alice")
        w = c.createWebhook(name="w", payloadurl=self.rx.url + "/w")["webhook"]
        [eid] = self.hs.post_events([event(account=ALICE)])
        first = wait_for(lambda: c.listWebhookDeliveries(webhookid=w["id"]).get("webhookdelivery"))[0]
        again = c.executeWebhookDelivery(id=first["id"])["webhookdelivery"]
        self.assertNotEqual(again["id"], first["id"])
        self.assertEqual((again["eventid"], again["eventtype"], again["payload"]),
                         (eid, "VM.CREATE", first["payload"]))
        listed = c.listWebhookDeliveries(webhookid=w["id"])
        self.assertEqual(listed["count"], 2)
        self.assertEqual(listed["webhookdelivery"][0]["id"], again["id"])  # newest first
        reqs = self.rx.snapshot()
        self.assertEqual([header(r, "X-CS-Event-ID") for r in reqs], [eid, eid])
        self.assertEqual(reqs[0]["body"], reqs[1]["body"])

    def test_fanned_out_records_share_their_stored_event_across_deletes_and_restarts(self):
        admin = self.client("admin")
        hooks = [admin.createWebhook(name=f"f{i}", payloadurl=self.rx.url + f"/f{i}",
                                     scope="Global")["webhook"] for i in range(3)]
        [eid] = self.hs.post_events([event(account=BOB, description="one event, three webhooks")])
        wait_for(lambda: admin.listWebhookDeliveries().get("count") == 3)
        bodies = {r["body"] for r in self.rx.snapshot()}
        self.assertEqual(len(bodies), 1)
        body = bodies.pop().decode()

        def payloads():
            return {d["webhookid"]: d["payload"] for d in
                    admin.listWebhookDeliveries().get("webhookdelivery", [])}

        self.assertEqual(payloads(), {w["id"]: body for w in hooks})
        # Two records go (one deleted, one with its webhook); the third still has the payload,
        # also after a restart, when the engine counts who names the event again.
        admin.deleteWebhookDelivery(webhookid=hooks[0]["id"])
        admin.deleteWebhook(id=hooks[1]["id"])
        self.hs.stop()
        self.hs.start()
        self.assertEqual(payloads(), {hooks[2]["id"]: body})
        [kept] = admin.listWebhookDeliveries()["webhookdelivery"]
        again = admin.executeWebhookDelivery(id=kept["id"])["webhookdelivery"]
        self.assertEqual((again["eventid"], again["payload"]), (eid, body))
        self.assertEqual(self.rx.snapshot()[-1]["body"].decode(), body)

    def test_delete_deliveries_never_crosses_tenants(self):
        a = self.client("alice")
        wa = a.createWebhook(name="a", payloadurl=self.rx.url + "/a")["webhook"]
        self.client("bob").createWebhook(name="b", payloadurl=self.rx.url + "/b")
        self.hs.post_events([event(account=ALICE), event(account=ALICE), event(account=BOB)])
        admin = self.client("admin")
        wait_for(lambda: admin.listWebhookDeliveries().get("count") == 3)
        self.assertEqual(self.client("bob").deleteWebhookDelivery(), {"success": True})  # no filters: his own
        self.assertEqual(admin.listWebhookDeliveries()["count"], 2)
        one = a.listWebhookDeliveries()["webhookdelivery"][0]
        a.deleteWebhookDelivery(id=one["id"])
        self.assertEqual(a.listWebhookDeliveries()["count"], 1)
        self.assertEqual(self.error_text(self.client("bob").deleteWebhookDelivery, webhookid=wa["id"])[0], 531)
        a.deleteWebhookDelivery(webhookid=wa["id"])
        self.assertEqual(admin.listWebhookDeliveries(), {})

    def test_cloudstack_client_end_to_end(self):
        admin = self.client("admin")
        w = admin.createWebhook(name="e2e", payloadurl=self.rx.url + "/e2e", scope="Global",
                                secretkey="s")["webhook"]
        self.assertEqual(admin.listWebhooks(id=w["id"])["webhook"][0]["scope"], "Global")
        admin.updateWebhook(id=w["id"], description="end to end")
        admin.addWebhookFilter(webhookid=w["id"], mode="Exclude", matchtype="Prefix", value="USER.")
        self.assertEqual(admin.listWebhookFilters(webhookid=w["id"])["count"], 1)
        self.assertTrue(admin.executeWebhookDelivery(webhookid=w["id"])["webhookdelivery"]["success"])
        self.hs.post_events([event(account=BOB, type_="USER.LOGIN"), event(account=BOB)])  # one filtered out
        d = wait_for(lambda: admin.listWebhookDeliveries(webhookid=w["id"]).get("webhookdelivery"))[0]
        self.assertTrue(admin.executeWebhookDelivery(id=d["id"])["webhookdelivery"]["success"])
        self.assertEqual(admin.listWebhookDeliveries(webhookid=w["id"])["count"], 2)
        self.assertEqual(admin.deleteWebhook(id=w["id"]), {"success": True})
        self.assertEqual(admin.listWebhooks(listall=True), {})
        self.assertEqual(self.rx.count(), 3)  # test, event, redelivery


if __name__ == "__main__":
    unittest.main()
