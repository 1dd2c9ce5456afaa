"""HTTPS receivers: CloudStack's sslverification semantics and the optional CA file."""

import shutil
import tempfile
import unittest

from harness import Hookshot, Receiver, event, make_ca_and_cert, wait_for, webhook


class TlsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="hookshot-tls-")
        self.ca, cert, key = make_ca_and_cert(self.tmp)
        self.rx = Receiver(tls=(cert, key))
        self.hookshot = None

    def tearDown(self):
        if self.hookshot:
            self.hookshot.close()
        self.rx.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def record(self, hs, name):
        return wait_for(lambda: (hs.deliveries()[name]["webhookdelivery"] or [None])[0],
                        what=f"a record for {name}")

    def test_sslverification_false_trusts_any_certificate(self):
        hs = self.hookshot = Hookshot([webhook("loose", self.rx.url)]).start()
        hs.post_events([event()])
        rec = self.record(hs, "loose")
        self.assertTrue(rec["success"], rec["response"])

    def test_sslverification_true_refuses_an_unknown_ca(self):
        hs = self.hookshot = Hookshot([webhook("strict", self.rx.url, sslverification=True)],
                                      settings={"webhook.delivery.tries": 1}).start()
        hs.post_events([event()])
        rec = self.record(hs, "strict")
        self.assertFalse(rec["success"])
        self.assertIn("certificate", rec["response"].lower())
        self.assertEqual(self.rx.count(), 0)

    def test_ca_file_makes_a_private_ca_trusted(self):
        hs = self.hookshot = Hookshot([webhook("strict", self.rx.url, sslverification=True)],
                                      settings={"webhook.delivery.ca.file": self.ca}).start()
        hs.post_events([event()])
        rec = self.record(hs, "strict")
        self.assertTrue(rec["success"], rec["response"])
        self.assertEqual(self.rx.count(), 1)


if __name__ == "__main__":
    unittest.main()
