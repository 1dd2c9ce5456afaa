"""addWebhookFilter, listWebhookFilters, deleteWebhookFilter through python3-cs: filters shape
routing at once, conflict as CloudStack's rules say, survive restarts and keep tenants apart."""

import time
import unittest

from harness import ALICE, ApiTestCase, event, header, wait_for


class ApiFiltersTest(ApiTestCase, unittest.TestCase):
    def types_delivered(self, types):
        """Posts one alice event per type; returns the types that reached the receiver."""
        before = self.rx.count()
        self.hs.post_events([event(account=ALICE, type_=t) for t in types] + [event(account=ALICE, type_="MARK")])
        wait_for(lambda: any(header(r, "X-CS-Event") == "MARK" for r in self.rx.snapshot()[before:]),
                 what="the marker event")
        time.sleep(0.2)
        return sorted(header(r, "X-CS-Event") for r in self.rx.snapshot()[before:] if header(r, "X-CS-Event") != "MARK")

    def test_filters_shape_routing_at_once(self):
        c = self.client("alice")
        w = c.createWebhook(name="w", payloadurl=self.rx.url)["webhook"]
        stop = c.addWebhookFilter(webhookid=w["id"], mode="Exclude", value="VM.STOP")["webhookfilter"]
        self.assertEqual(self.types_delivered(["VM.START", "VM.STOP", "USER.LOGIN"]), ["USER.LOGIN", "VM.START"])
        # An include after the exclude is allowed (the reverse order conflicts: CloudStack's rule).
        f = c.addWebhookFilter(webhookid=w["id"], mode="include", matchtype="prefix", value="VM.")["webhookfilter"]
        self.assertEqual((f["mode"], f["matchtype"], f["type"], f["value"], f["webhookid"]),
                         ("Include", "Prefix", "EventType", "VM.", w["id"]))
        c.addWebhookFilter(webhookid=w["id"], value="MARK")  # Include Exact by default, keeps the marker
        self.assertEqual(self.types_delivered(["VM.CREATE", "USER.LOGIN", "VM.STOP"]), ["VM.CREATE"])
        c.deleteWebhookFilter(id=stop["id"])
        self.assertEqual(self.types_delivered(["VM.STOP"]), ["VM.STOP"])
        self.assertEqual(self.hs.stop(), 0)  # filters survive a restart
        self.hs.start()
        self.assertEqual(self.types_delivered(["VM.REBOOT", "VOLUME.CREATE"]), ["VM.REBOOT"])
        c.deleteWebhookFilter(webhookid=w["id"])  # clears them all
        self.assertEqual(c.listWebhookFilters(webhookid=w["id"]), {})
        self.assertEqual(self.types_delivered(["VOLUME.CREATE"]), ["VOLUME.CREATE"])

    def test_conflicts_and_bad_values(self):
        c = self.client("alice")
        w = c.createWebhook(name="w", payloadurl=self.rx.url)["webhook"]
        c.addWebhookFilter(webhookid=w["id"], mode="Include", matchtype="Prefix", value="VM.")
        status, text = self.error_text(c.addWebhookFilter, webhookid=w["id"], mode="Exclude", value="VM.CREATE")
        self.assertEqual(status, 431)
        self.assertRegex(text, r"^Conflicting Webhook filter exists ID: \d+$")
        self.assertEqual(self.error_text(c.addWebhookFilter, webhookid=w["id"], mode="include", matchtype="prefix",
                                         value="vm.")[1][:34], "Conflicting Webhook filter exists ")
        c.addWebhookFilter(webhookid=w["id"], mode="Exclude", matchtype="Prefix", value="VOLUME.")  # no overlap
        self.assertEqual(self.error_text(c.addWebhookFilter, webhookid=w["id"], mode="sometimes", value="x")[1],
                         "Invalid mode specified")
        self.assertEqual(self.error_text(c.addWebhookFilter, webhookid=w["id"], matchtype="regex", value="x")[1],
                         "Invalid match type specified")
        self.assertEqual(self.error_text(c.addWebhookFilter, webhookid=w["id"])[1], "Missing parameter value")
        self.assertEqual(self.error_text(c.addWebhookFilter, webhookid="nope", value="x")[1],
                         "Invalid Webhook specified")

    def test_filters_keep_tenants_apart(self):
        alice, bob = self.client("alice"), self.client("bob")
        w = alice.createWebhook(name="w", payloadurl=self.rx.url)["webhook"]
        f = alice.addWebhookFilter(webhookid=w["id"], value="VM.CREATE")["webhookfilter"]
        self.assertEqual(alice.listWebhookFilters()["count"], 1)
        self.assertEqual(bob.listWebhookFilters(), {})  # CloudStack would show them to anyone
        self.assertEqual(self.error_text(bob.listWebhookFilters, webhookid=w["id"])[0], 531)
        self.assertEqual(self.error_text(bob.addWebhookFilter, webhookid=w["id"], value="X")[0], 531)
        self.assertEqual(self.error_text(bob.deleteWebhookFilter, id=f["id"])[0], 531)
        self.assertEqual(self.client("admin").listWebhookFilters(id=f["id"])["count"], 1)
        self.assertEqual(self.error_text(alice.deleteWebhookFilter)[1], "One of id or webhookid must be specified")

    def test_deleting_a_webhook_deletes_its_filters(self):
        c = self.client("alice")
        w = c.createWebhook(name="w", payloadurl=self.rx.url)["webhook"]
        c.addWebhookFilter(webhookid=w["id"], value="VM.CREATE")
        c.deleteWebhook(id=w["id"])
        self.assertEqual(self.client("admin").listWebhookFilters(), {})


if __name__ == "__main__":
    unittest.main()
