"""GET /metrics: Prometheus text format with the engine's counters and gauges."""

import re
import unittest
import urllib.request

from harness import ALICE, BOB, Hookshot, Receiver, event, wait_for, webhook

SAMPLE = re.compile(r'^([a-z_]+)(\{(result="(success|failure)"|share="(held_back|whole_cap)")\})? (-?\d+)$')


def scrape(hs):
    with urllib.request.urlopen(hs.base + "/metrics", timeout=5) as r:
        content_type = r.headers["Content-Type"]
        text = r.read().decode()
    samples, types = {}, {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            types[name] = kind
            continue
        if line.startswith("# HELP "):
            continue
        m = SAMPLE.match(line)
        assert m, f"not a sample line: {line!r}"
        samples[m.group(1) + (m.group(2) or "")] = int(m.group(6))
    return content_type, types, samples


class MetricsTest(unittest.TestCase):
    def setUp(self):
        # Every second attempt fails, so each delivery takes one retry (tries 3).
        self.rx = Receiver(lambda i, req: (500, b"no", {}) if i % 2 == 0 else (200, b"ok", {}))
        self.hookshot = None

    def tearDown(self):
        if self.hookshot:
            self.hookshot.close()
        self.rx.close()

    def test_counters_follow_intake_attempts_and_outcomes(self):
        hs = self.hookshot = Hookshot(
            [webhook("alice-hook", self.rx.url, account="alice", scope="Local")],
            settings={"webhook.delivery.backoff": "0.05"}).start()
        content_type, types, before = scrape(hs)
        self.assertEqual(content_type, "text/plain; version=0.0.4; charset=utf-8")
        self.assertEqual(before["hookshot_webhooks"], 1)
        self.assertEqual(before["hookshot_events_accepted_total"], 0)
        self.assertEqual(types["hookshot_attempts_total"], "counter")
        self.assertEqual(types["hookshot_pending_deliveries"], "gauge")

        # Two events for Alice (one delivery each), one for Bob (no webhook: accepted only),
        # one that is not an action event (acknowledged, never delivered).
        hs.post_events([event(account=ALICE), event(account=ALICE), event(account=BOB),
                        event(account=ALICE, type_="VM.STOP", category="AlertEvent")])
        wait_for(lambda: scrape(hs)[2]['hookshot_deliveries_total{result="success"}'] == 2,
                 what="two deliveries")
        _, _, after = scrape(hs)
        self.assertEqual(after["hookshot_events_accepted_total"], 4)
        self.assertEqual(after["hookshot_events_stored_total"], 2)
        self.assertEqual(after["hookshot_deliveries_created_total"], 2)
        self.assertEqual(after['hookshot_deliveries_total{result="failure"}'], 0)
        self.assertEqual(after['hookshot_attempts_total{result="success"}'], 2)
        self.assertEqual(after['hookshot_attempts_total{result="failure"}'], 2)
        self.assertEqual(after["hookshot_pending_deliveries"], 0)
        self.assertEqual(after["hookshot_attempts_in_flight"], 0)
        self.assertGreater(after["hookshot_storage_commits_total"], before["hookshot_storage_commits_total"])
        self.assertGreaterEqual(after["hookshot_storage_batches_total"], after["hookshot_storage_commits_total"])
        self.assertEqual(self.rx.count(), 4)
        # One receiver, on the loop its webhook is sent through; measured at first, then free
        # to use the whole cap unless it answers slower with more in flight.
        self.assertEqual(types["hookshot_http_receivers"], "gauge")
        self.assertEqual(before['hookshot_http_receivers{share="held_back"}'] +
                         before['hookshot_http_receivers{share="whole_cap"}'], 0)
        self.assertEqual(after['hookshot_http_receivers{share="held_back"}'] +
                         after['hookshot_http_receivers{share="whole_cap"}'], 1)


if __name__ == "__main__":
    unittest.main()
