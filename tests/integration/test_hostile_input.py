"""Hostile input against the real binary: malformed JSON, invalid UTF-8, huge numbers,
duplicate keys and parameters, unknown parameters, over-long values. Each gets a clear error
and changes nothing stored; what is valid but unusual passes through untouched."""

import base64
import hashlib
import hmac
import json
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

from harness import ALICE, ApiTestCase, event, record_figures, wait_for

NDJSON = {"Content-Type": "application/x-ndjson"}


def java_encode(value: bytes) -> str:
    """CloudStack's value encoding (java.net.URLEncoder, "+" as "%20") over raw bytes."""
    return urllib.parse.quote_from_bytes(value, safe="-_.*")


class HostileInputTest(ApiTestCase, unittest.TestCase):
    def setUp(self):
        super().setUp()
        self.admin = self.client("admin")
        self.hook = self.admin.createWebhook(name="all", payloadurl=self.rx.url, scope="Global")["webhook"]

    def raw_api(self, params):
        """A signed GET built by hand from (name, bytes) pairs, so values may be any bytes and
        names may repeat. Returns (HTTP status, JSON answer)."""
        params = params + [(b"apiKey", b"admin-api-key"), (b"response", b"json")]
        encoded = [(java_encode(k), java_encode(v)) for k, v in params]
        text = "&".join(f"{k}={v}" for k, v in sorted(encoded, key=lambda kv: kv[0].lower())).lower()
        sig = base64.b64encode(hmac.new(b"admin-secret-key", text.encode(), hashlib.sha1).digest()).decode()
        query = "&".join(f"{k}={v}" for k, v in encoded) + "&signature=" + urllib.parse.quote(sig, safe="")
        try:
            with urllib.request.urlopen(f"{self.hs.base}/client/api?{query}", timeout=10) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def stored(self):
        """Everything a refused request could have changed."""
        return (json.dumps(self.admin.listWebhooks(listall=True), sort_keys=True),
                json.dumps(self.admin.listWebhookFilters(), sort_keys=True),
                self.hs.deliveries()["all"]["pending"], self.rx.count())

    def test_intake_refuses_what_it_cannot_route_and_stores_nothing(self):
        before = self.stored()
        good = json.dumps(event()).encode()
        cases = {
            b"{\"event\":\"VM.CREATE\",\"account\":": "line 1: invalid JSON",
            b"{\"event\":\"VM.\xff\",\"account\":\"x\"}": "line 1: invalid JSON",
            b"{\"event\":\"A\",\"account\":\"" + ALICE.encode() + b"\",\"event\":\"B\"}":
                'line 1: duplicate field "event"',
            b"{\"event\":\"A\",\"account\":{\"id\":1}}": 'line 1: field "account" must be a string',
            b"{\"event\":\"A\",\"account\":\"a\",\"d\":" + b"[" * 100 + b"]" * 100 + b"}": "line 1: invalid JSON",
            good + b"\n" + good + b"\n[1,2]\n": "line 3: an event must be a JSON object",
            # Fields sent in headers: a line break would add header lines to every delivery.
            b"{\"event\":\"VM.CREATE\\r\\nX-CS-Signature: forged\",\"account\":\"" + ALICE.encode() + b"\"}":
                'line 1: field "event" must not contain control characters',
            b"{\"event\":\"A\",\"account\":\"" + ALICE.encode() + b"\\u0000x\"}":
                'line 1: field "account" must not contain control characters',
        }
        for body, text in cases.items():
            with self.subTest(body=body[:60]):
                status, answer = self.hs.post(body, NDJSON)
                self.assertEqual(status, 400)
                self.assertTrue(answer["error"].startswith(text), answer["error"])
        # The id header of a single event is sent on too.
        status, answer = self.hs.post(good, {"Content-Type": "application/json", "X-CS-Event-ID": "e1\x01"})
        self.assertEqual(status, 400)
        self.assertEqual(answer["error"], "malformed HTTP request: bad value")
        self.assertEqual(self.stored(), before)
        record_figures("hostile intake bodies", cases=len(cases) + 1, changed=0)

    def test_unusual_but_valid_events_pass_byte_for_byte(self):
        body = ('{"event":"VM.CREATE","account":"%s","huge":1e999999,"wide":-123456789012345678901234567890,'
                '"dup":1,"dup":2,"text":"caf\u00e9 \u2713","long":"%s"}' % (ALICE, "x" * 200000)).encode()
        status, answer = self.hs.post(body, NDJSON)
        self.assertEqual(status, 202, answer)
        wait_for(lambda: self.rx.count() == 1, what="the delivery")
        self.assertEqual(self.rx.snapshot()[0]["body"], body)

    def test_api_refuses_bad_parameters_with_cloudstack_errors_and_changes_nothing(self):
        before = self.stored()
        hook_id = self.hook["id"].encode()
        cases = [
            ([(b"command", b"updateWebhook"), (b"id", hook_id), (b"paylodurl", b"https://8.8.8.8/x")],
             "Unknown parameter for updateWebhook: paylodurl"),
            ([(b"command", b"createWebhook"), (b"name", b"n" * 256), (b"payloadurl", b"127.0.0.7/x")],
             "Value greater than max allowed length 255 for param: name"),
            ([(b"command", b"createWebhook"), (b"name", b"n"), (b"payloadurl", b"127.0.0.7/" + b"p" * 250)],
             "Value greater than max allowed length 255 for param: payloadurl"),
            ([(b"command", b"updateWebhook"), (b"id", hook_id), (b"description", b"d" * 4097)],
             "Value greater than max allowed length 4096 for param: description"),
            ([(b"command", b"updateWebhook"), (b"id", hook_id), (b"name", b"bad\xff")],
             "Parameter name is not valid UTF-8"),
            ([(b"command", b"updateWebhook"), (b"id", hook_id), (b"name", b"a"), (b"NAME", b"b")],
             "Parameter NAME is given more than once"),
            ([(b"command", b"addWebhookFilter"), (b"webhookid", hook_id), (b"value", b"VM." + b"x" * 300)],
             "Value greater than max allowed length 255 for param: value"),
            ([(b"command", b"listWebhooks"), (b"page", b"99999999999999999999999")],
             "Unable to parse page: '99999999999999999999999'"),
        ]
        for params, text in cases:
            with self.subTest(text=text):
                status, answer = self.raw_api(params)
                self.assertEqual(status, 431, answer)
                body = next(iter(answer.values()))
                self.assertEqual((body["errorcode"], body["cserrorcode"]), (431, 4350))
                self.assertTrue(body["errortext"].startswith(text), body["errortext"])
        self.assertEqual(self.stored(), before)
        record_figures("hostile API parameters", cases=len(cases), changed=0)

    def test_api_limits_count_characters_not_bytes(self):
        name = ("\u00e9" * 255).encode()  # 255 characters, 510 bytes
        status, answer = self.raw_api([(b"command", b"updateWebhook"), (b"id", self.hook["id"].encode()),
                                       (b"name", name)])
        self.assertEqual(status, 200, answer)
        self.assertEqual(self.admin.listWebhooks(id=self.hook["id"])["webhook"][0]["name"], name.decode())


if __name__ == "__main__":
    unittest.main()
