"""The SSRF policy: secure defaults at create/update/test time through the API, and the checks
every delivery makes on the wire (names resolving to blocked addresses, redirects hop by hop,
Host/SNI/certificate kept when connecting to the checked address)."""

import shutil
import tempfile
import unittest

from harness import (ALICE, CHILD, ApiTestCase, Hookshot, Receiver, event, header,
                     make_ca_and_cert, record_figures, wait_for, webhook)

BLOCKED = "resolves to a blocked IP address"


def record_of(hs, name):
    return wait_for(lambda: (hs.deliveries()[name]["webhookdelivery"] or [None])[0],
                    what=f"a record for {name}")


class SecureDefaultsApiTest(ApiTestCase, unittest.TestCase):
    """No policy settings at all: https only, private/loopback/local addresses refused."""

    policy = {}

    def test_create_refuses_http_and_internal_addresses(self):
        admin = self.client("admin")
        cases = {
            self.rx.url: "Only HTTPS webhook payload URLs are allowed, got: " + self.rx.url,
            "127.0.0.1:9/x": "Only HTTPS webhook payload URLs are allowed, got: http://127.0.0.1:9/x",
            # CloudStack's normalisation prepends http:// to anything not http(s)
            "ftp://example.com/x": "Invalid webhook payload URL host in [http://ftp://example.com/x]",
            "https://127.0.0.1:9/x": "Webhook payload URL [https://127.0.0.1:9/x] " + BLOCKED,
            "https://localhost:9/x": "Webhook payload URL [https://localhost:9/x] " + BLOCKED,
            "https://169.254.169.254/latest/meta-data": "Webhook payload URL "
            "[https://169.254.169.254/latest/meta-data] " + BLOCKED,
            "https://[::1]/x": "Webhook payload URL [https://[::1]/x] " + BLOCKED,
            "https://[::ffff:10.0.0.1]/x": "Webhook payload URL [https://[::ffff:10.0.0.1]/x] " + BLOCKED,
            "https://192.168.1.20/x": "Webhook payload URL [https://192.168.1.20/x] " + BLOCKED,
        }
        for url, text in cases.items():
            with self.subTest(url=url):
                self.assertEqual(self.error_text(admin.createWebhook, name="w", payloadurl=url),
                                 (431, text))
        self.assertEqual(admin.listWebhooks(), {})
        record_figures("SSRF: refused payload URLs", cases=len(cases), created=0)

    def test_update_and_test_delivery_are_checked_too(self):
        admin = self.client("admin")
        # A public IP literal: accepted without DNS; no event is ever sent to it here.
        hook = admin.createWebhook(name="public", payloadurl="https://8.8.8.8/hook")["webhook"]
        self.assertEqual(self.error_text(admin.updateWebhook, id=hook["id"], payloadurl="https://10.1.1.1/x"),
                         (431, "Webhook payload URL [https://10.1.1.1/x] " + BLOCKED))
        self.assertEqual(admin.listWebhooks()["webhook"][0]["payloadurl"], "https://8.8.8.8/hook")
        self.assertEqual(self.error_text(admin.executeWebhookDelivery, payloadurl=self.rx.url),
                         (431, "Only HTTPS webhook payload URLs are allowed, got: " + self.rx.url))
        self.assertEqual(self.rx.count(), 0)


class DeliveryTimeTest(unittest.TestCase):
    """Checks made by the HTTP loop itself, on the address it connects to."""

    def setUp(self):
        self.closers = []

    def tearDown(self):
        for c in reversed(self.closers):
            c()

    def receiver(self, *args, **kwargs):
        r = Receiver(*args, **kwargs)
        self.closers.append(r.close)
        return r

    def hookshot(self, hooks, settings):
        hs = Hookshot(hooks, settings={"webhook.delivery.tries": 1, "webhook.delivery.timeout": 5, **settings})
        self.closers.append(hs.close)
        return hs.start()

    def test_a_name_resolving_to_a_blocked_address_is_refused_at_connect(self):
        rx = self.receiver()
        url = f"http://localhost:{rx.port}/hook"  # a name: not resolved when the config loads
        hs = self.hookshot([webhook("by-name", url)],
                           {"webhook.delivery.blocklist": "127.0.0.0/8,::1/128"})
        hs.post_events([event()])
        rec = record_of(hs, "by-name")
        self.assertFalse(rec["success"])
        self.assertEqual(rec["response"], f"Webhook payload URL [{url}] {BLOCKED}")
        self.assertEqual(rx.count(), 0)  # nothing reached the blocked address

    def test_redirects_follow_the_policy_hop_by_hop(self):
        ok = self.receiver()
        inside = self.receiver(host="127.0.0.2")  # the "internal" host a redirect aims at

        def redirector(i, req):
            where = {"/to-ok": ok.url, "/to-inside": inside.url,
                     "/loop": f"http://127.0.0.1:{port}/loop"}.get(req["path"])
            return (307, b"", {"Location": where} if where else {})

        hop = self.receiver(redirector)
        port = hop.port
        base = f"http://127.0.0.1:{port}"
        hooks = [webhook("to-ok", base + "/to-ok"), webhook("to-inside", base + "/to-inside"),
                 webhook("loop", base + "/loop"), webhook("no-location", base + "/none"),
                 # alice's domain turns redirects off for her webhooks only
                 webhook("alice-off", base + "/to-ok?alice", account="alice", scope="Local")]
        hs = Hookshot(hooks, settings={"webhook.delivery.tries": 1, "webhook.delivery.timeout": 5,
                                       "webhook.delivery.allow.redirects": True,
                                       "webhook.delivery.blocklist": "127.0.0.2/32"})
        hs.config["domains"][1]["settings"] = {"webhook.delivery.allow.redirects": False}  # CHILD
        assert hs.config["domains"][1]["id"] == CHILD
        hs.write_config()
        self.closers.append(hs.close)
        hs.start()
        hs.post_events([event(account=ALICE)])

        rec = record_of(hs, "to-ok")
        self.assertTrue(rec["success"], rec["response"])
        self.assertEqual(rec["httpstatus"], 200)
        first = [r for r in hop.snapshot() if r["path"] == "/to-ok"][0]
        final = wait_for(lambda: ok.snapshot(), what="the redirected POST")[0]
        self.assertEqual(final["body"], first["body"])  # the same POST, body and signature
        self.assertEqual(header(final, "X-CS-Event-ID"), header(first, "X-CS-Event-ID"))

        self.assertEqual(record_of(hs, "to-inside")["response"], f"Webhook payload URL [{inside.url}] {BLOCKED}")
        self.assertEqual(inside.count(), 0)
        self.assertEqual(record_of(hs, "loop")["response"], "Delivery failed due to too many redirect hops (>5)")
        self.assertEqual(len([r for r in hop.snapshot() if r["path"] == "/loop"]), 6)  # first + 5 hops
        self.assertEqual(record_of(hs, "no-location")["response"],
                         "Delivery failed due to redirect response without location header")
        off = record_of(hs, "alice-off")
        self.assertEqual((off["success"], off["httpstatus"], off["response"]),
                         (False, 307, "Delivery failed due to redirect status code 307 while redirects are disabled"))
        self.assertEqual(len(ok.snapshot()), 1)  # only to-ok's POST arrived there

    def test_https_by_name_keeps_host_sni_and_certificate_name(self):
        tmp = tempfile.mkdtemp(prefix="hookshot-ssrf-")
        self.closers.append(lambda: shutil.rmtree(tmp, ignore_errors=True))
        ca, cert, key = make_ca_and_cert(tmp)
        rx = self.receiver(tls=(cert, key))
        url = f"https://localhost:{rx.port}/hook"
        hs = self.hookshot([webhook("named-tls", url, sslverification=True)],
                           {"webhook.delivery.ca.file": ca, "webhook.delivery.allow.http": False})
        hs.post_events([event()])
        rec = record_of(hs, "named-tls")
        self.assertTrue(rec["success"], rec["response"])  # the certificate name "localhost" checked
        self.assertEqual(header(rx.snapshot()[0], "Host"), f"localhost:{rx.port}")


if __name__ == "__main__":
    unittest.main()
