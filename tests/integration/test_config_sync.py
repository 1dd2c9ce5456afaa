"""Declared webhooks are created or updated at start-up; the cleanup task applies the limit."""

import unittest

from harness import Hookshot, Receiver, event, header, wait_for, webhook


class ConfigSyncTest(unittest.TestCase):
    def setUp(self):
        self.old, self.new = Receiver(), Receiver()
        self.hookshot = None

    def tearDown(self):
        if self.hookshot:
            self.hookshot.close()
        self.old.close()
        self.new.close()

    def test_a_changed_declaration_updates_the_same_webhook(self):
        hs = self.hookshot = Hookshot([webhook("w", self.old.url, secretkey="one")]).start()
        first_id = hs.deliveries()["w"]["id"]
        hs.post_events([event()])
        wait_for(lambda: self.old.count() == 1)
        self.assertEqual(hs.stop(), 0)

        hs.config["webhooks"] = [webhook("w", self.new.url, secretkey="two")]
        hs.write_config()
        hs.start()
        wait_for(lambda: hs.output().count("listening on") == 2, what="the start-up line")
        self.assertIn("1 declared changed", hs.output().split("listening")[-1])
        stored = hs.deliveries()
        self.assertEqual(list(stored), ["w"])
        self.assertEqual(stored["w"]["id"], first_id)
        self.assertEqual(stored["w"]["payloadurl"], self.new.url)
        hs.post_events([event()])
        wait_for(lambda: self.new.count() == 1)
        self.assertEqual(self.old.count(), 1)
        self.assertIsNotNone(header(self.new.snapshot()[0], "X-CS-Signature"))
        self.assertEqual(hs.stop(), 0)

        hs.start()  # unchanged: nothing rewritten
        # /healthz answers a moment before the start-up line is printed.
        wait_for(lambda: hs.output().count("listening on") == 3, what="the start-up line")
        self.assertIn("0 declared changed", hs.output().split("listening")[-1])

    def test_cleanup_applies_a_lowered_limit(self):
        hs = self.hookshot = Hookshot([webhook("w", self.old.url)],
                                      settings={"webhook.deliveries.limit": 5})
        hs.start()
        ids = []
        for i in range(5):
            ids += hs.post_events([event(description=str(i))])
            wait_for(lambda: (hs.deliveries()["w"]["webhookdelivery"] or [{}])[0].get("eventid") == ids[-1])
        self.assertEqual(len(hs.deliveries()["w"]["webhookdelivery"]), 5)
        self.assertEqual(hs.stop(), 0)

        hs.config["settings"].update({"webhook.deliveries.limit": 2,
                                 "webhook.deliveries.cleanup.initial.delay": 2})
        hs.write_config()
        hs.start()
        self.assertEqual(len(hs.deliveries()["w"]["webhookdelivery"]), 5)  # not before the delay
        d = wait_for(lambda: (lambda w: w if len(w["webhookdelivery"]) == 2 else None)(hs.deliveries()["w"]),
                     timeout=10, what="the cleanup")
        self.assertEqual([r["eventid"] for r in d["webhookdelivery"]], list(reversed(ids[3:])))


if __name__ == "__main__":
    unittest.main()
