"""Smoke test of the benchmark harness: it runs, and its JSON is complete. No speed is asserted."""

import json
import os
import subprocess
import tempfile
import unittest
from xml.etree import ElementTree

from harness import HOOKSHOT

FIELDS = ["name", "deliveries", "seconds", "deliveries_per_s", "baseline", "ratio", "latency_ms",
          "cpu_us_per_delivery", "peak_rss_mb", "errors"]


def damon_sample_ms(admin="/sys/kernel/mm/damon/admin"):
    """The shortest sample interval (ms) of the kernel's DAMON monitors that are on; 0: none."""
    def read(*parts):
        try:
            with open(os.path.join(admin, "kdamonds", *parts)) as f:
                return f.read().strip()
        except OSError:
            return ""

    intervals = [int(read(k, "contexts", str(c), "monitoring_attrs", "intervals", "sample_us") or 0)
                 for k in map(str, range(int(read("nr_kdamonds") or 0))) if read(k, "state") == "on"
                 for c in range(int(read(k, "contexts", "nr_contexts") or 0))]
    return min((us / 1000 for us in intervals if us > 0), default=0)


class BenchSmokeTest(unittest.TestCase):
    def test_quick_throughput_writes_complete_json_with_no_errors(self):
        with tempfile.TemporaryDirectory() as tmp:
            out_json, out_svg = os.path.join(tmp, "b.json"), os.path.join(tmp, "b.svg")
            r = subprocess.run([HOOKSHOT, "bench", "--quick", "--scenario", "throughput", "--json",
                                out_json, "--svg", out_svg, "--no-progress"],
                               capture_output=True, text=True, timeout=240)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("throughput-fsync", r.stdout)
            with open(out_json) as f:
                report = json.load(f)
            self.assertIn("cores", report["machine"])
            # What this machine charges for a system call and a wake-up, measured at the start:
            # what makes runs on different machines comparable (or not).
            costs = report["machine_costs"]
            # Each is a mean over many repetitions on a shared machine: one preempted run can
            # make a system call look dearer than a hand-over (seen: 5.0 against 3.5 µs), so
            # only that each was measured is checked, not how they compare.
            self.assertGreater(costs["syscall_us"], 0)
            self.assertGreater(costs["switch_us"], 0)
            self.assertIn("a hand-over on one core", r.stdout.splitlines()[0])
            if len(os.sched_getaffinity(0)) >= 2:
                self.assertGreater(costs["wake_us"], 0)
                self.assertGreater(costs["wake_cpu_us"], 0)
                self.assertIn("to the other core", r.stdout.splitlines()[0])
            # The kernel's memory monitor, as its admin tree says: what paces latency's tail.
            self.assertEqual(costs["memory_monitor_ms"], damon_sample_ms())
            if costs["memory_monitor_ms"] > 0:
                self.assertIn("memory monitor (DAMON) samples every", r.stdout.splitlines()[0])
            self.assertTrue(report["quick"])
            names = [s["name"] for s in report["scenarios"]]
            self.assertEqual(names, ["throughput-fsync", "throughput-os"])
            for s in report["scenarios"]:
                for field in FIELDS:
                    self.assertIn(field, s, field)
                self.assertEqual(s["errors"], 0)
                self.assertEqual(s["deliveries"], 20000)
                self.assertGreater(s["deliveries_per_s"], 0)
                self.assertEqual(s["baseline"]["name"], "raw-curl")
                self.assertGreater(s["baseline"]["per_s"], 0)
                # raw-curl runs right before and right after the engine; the baseline is both.
                before, after = s["extra"]["raw_curl_before_per_s"], s["extra"]["raw_curl_after_per_s"]
                self.assertGreater(before, 0)
                self.assertGreater(after, 0)
                self.assertAlmostEqual(s["baseline"]["per_s"], (before + after) / 2, delta=1e-6 * after)
                self.assertAlmostEqual(s["ratio"], s["deliveries_per_s"] / s["baseline"]["per_s"], delta=1e-9)
                self.assertGreater(s["latency_ms"]["max"], 0)
                self.assertGreaterEqual(s["latency_ms"]["p99"], s["latency_ms"]["p50"])
                self.assertGreater(s["cpu_us_per_delivery"], 0)
                self.assertGreater(s["peak_rss_mb"], 0)
                self.assertGreater(s["disk_bytes_per_record"], 0)
                # What else used the cores: the sink on both sides, the posting on the engine's.
                x = s["extra"]
                self.assertGreater(x["cpu_us_sink"], 0)
                self.assertGreater(x["raw_curl_sink_cpu_us"], 0)
                self.assertGreaterEqual(x["raw_curl_switches"], 0)
                self.assertGreaterEqual(x["cpu_us_bench"], 0)
                self.assertGreater(x["cores_busy"], 0)
                # The half-rate run's pauses: gaps over 3 ms between arrivals, each counted in full.
                self.assertGreaterEqual(x["half_rate_pauses"], 0)
                self.assertGreaterEqual(x["half_rate_paused_ms"], 3 * x["half_rate_pauses"])
                # The delivery curve: the sink's count over the run, from 0 to every delivery.
                curve = s["curve"]
                self.assertEqual(curve[0], [0, 0])
                self.assertEqual(curve[-1][1], s["deliveries"])
                for (t0, n0), (t1, n1) in zip(curve, curve[1:]):
                    self.assertLessEqual(t0, t1)
                    self.assertLessEqual(n0, n1)
                self.assertAlmostEqual(curve[-1][0], s["seconds"], delta=0.1)
                self.assertGreater(x["posted_s"], 0)
                self.assertLess(x["posted_s"], s["seconds"])
                # Keep-alive: the engine delivers over at most its in-flight cap of connections.
                self.assertGreater(x["receiver_connections"], 0)
                self.assertLessEqual(x["receiver_connections"], 1024)
                self.assertNotIn("receiver_tls_connections", x)  # a plain-HTTP receiver
                self.assertGreater(x["raw_curl_connections"], 0)  # its runs' mean
                engine_side = s["cpu_us_per_delivery"] + x["cpu_us_sink"] + x["cpu_us_bench"]
                self.assertAlmostEqual(x["cpu_bound_ratio"],
                                       (x["raw_curl_cpu_us"] + x["raw_curl_sink_cpu_us"]) / engine_side,
                                       delta=1e-9)
            # The synced store writes each delivery's event (a 1 KiB body) through pwrite at
            # least once; with os the writable map is written back by the kernel instead.
            by_name = {s["name"]: s for s in report["scenarios"]}
            self.assertGreater(by_name["throughput-fsync"]["extra"]["store_written_kib"], 1.0)
            self.assertLess(by_name["throughput-os"]["extra"]["store_written_kib"], 0.1)
            # Where the run stands against the goals: each throughput's ratio and half-rate p99,
            # judged by its own figures (one round: no mean), in the table and in the JSON.
            goals = {(g["scenario"], g["figure"]): g for g in report["goals"]}
            self.assertEqual(sorted(goals), [("throughput-fsync", "half_rate_p99_ms"),
                                             ("throughput-fsync", "ratio"),
                                             ("throughput-os", "half_rate_p99_ms"),
                                             ("throughput-os", "ratio")])
            for (name, figure), g in goals.items():
                value = by_name[name]["ratio"] if figure == "ratio" else by_name[name]["extra"][figure]
                self.assertAlmostEqual(g["value"], value)
                self.assertIsNone(g["mean"])
                met = value >= g["bound"] if g["at_least"] else value <= g["bound"]
                self.assertEqual(g["verdict"], "met" if met else "not met")
                # A ratio to raw-curl whose drain was timed is put in the machine's CPU too:
                # what the goal allows per delivery, what delivering and taking events in cost.
                x = by_name[name]["extra"]
                if figure != "ratio" or "drain_all_cpu_us" not in x:
                    self.assertIsNone(g["cpu_split"])
                    continue
                split = g["cpu_split"]
                self.assertAlmostEqual(split["allowed_us"],
                                       (x["raw_curl_cpu_us"] + x["raw_curl_sink_cpu_us"]) / g["bound"])
                self.assertAlmostEqual(split["delivering_us"], x["drain_all_cpu_us"])
                self.assertAlmostEqual(split["intake_us"], x["ingest_cpu_us_per_delivery"])
                self.assertAlmostEqual(split["left_us"], split["allowed_us"] - split["delivering_us"])
                self.assertIn("the machine's CPU per delivery: the goal allows", r.stdout)
            self.assertEqual(goals[("throughput-os", "ratio")]["bound"], 0.8)
            self.assertIn("goals (the reported round's figure", r.stdout)
            self.assertIn("--quick: scaled down", r.stdout)
            # The chart parses as XML and draws each run's curve, with the last event's dot.
            svg = ElementTree.parse(out_svg).getroot()
            self.assertEqual(svg.tag, "{http://www.w3.org/2000/svg}svg")
            self.assertEqual(len(svg.findall("{http://www.w3.org/2000/svg}polyline")), 2)
            self.assertEqual(len(svg.findall("{http://www.w3.org/2000/svg}circle")), 2)

    def test_quick_tls_delivers_verified_https_over_reused_connections(self):
        # The receiver serves a certificate made for the run; every webhook verifies it
        # (sslverification) against it as its CA file, and so does raw-curl. No goal is set.
        with tempfile.TemporaryDirectory() as tmp:
            out_json = os.path.join(tmp, "b.json")
            r = subprocess.run([HOOKSHOT, "bench", "--quick", "--scenario", "tls", "--json",
                                out_json, "--no-progress", "--work-dir", tmp],
                               capture_output=True, text=True, timeout=240)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            with open(out_json) as f:
                report = json.load(f)
            [s] = report["scenarios"]
            self.assertEqual(s["name"], "throughput-tls")
            for field in FIELDS:
                self.assertIn(field, s, field)
            self.assertEqual((s["deliveries"], s["errors"]), (20000, 0))
            self.assertEqual(s["baseline"]["name"], "raw-curl")
            self.assertGreater(s["baseline"]["per_s"], 0)
            self.assertEqual(s["baseline"]["errors"], 0)  # raw-curl verified the certificate too
            x = s["extra"]
            self.assertEqual(x["receiver_tls_connections"], x["receiver_connections"])
            # Each connection is a handshake: at most the in-flight cap of them, not one a delivery.
            self.assertGreater(x["receiver_connections"], 0)
            self.assertLessEqual(x["receiver_connections"], 1024)
            self.assertGreater(x["raw_curl_connections"], 0)
            self.assertGreater(x["half_rate_p99_ms"], 0)
            self.assertEqual(report["goals"], [])
            with open(os.path.join(tmp, "throughput-tls.json")) as f:
                engine_config = json.load(f)
            self.assertTrue(all(h["sslverification"] and h["payloadurl"].startswith("https://")
                                for h in engine_config["webhooks"]))
            self.assertEqual(engine_config["settings"]["webhook.delivery.ca.file"],
                             os.path.join(tmp, "tls-cert.pem"))

    def test_rounds_report_the_median_round_with_the_range_and_the_mean(self):
        with tempfile.TemporaryDirectory() as tmp:
            out_json = os.path.join(tmp, "b.json")
            r = subprocess.run([HOOKSHOT, "bench", "--quick", "--scenario", "fanout", "--rounds", "3",
                                "--json", out_json, "--no-progress"],
                               capture_output=True, text=True, timeout=240)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            with open(out_json) as f:
                report = json.load(f)
            (s,) = report["scenarios"]
            self.assertEqual(s["name"], "fanout")
            self.assertEqual(s["errors"], 0)
            self.assertEqual(s["extra"]["rounds"], 3)
            self.assertLessEqual(s["extra"]["ratio_min"], s["ratio"])
            self.assertLessEqual(s["ratio"], s["extra"]["ratio_max"])
            self.assertGreater(s["extra"]["ratio_min"], 0)
            # The mean of the three lies in their range; its interval is as wide as they differ.
            mean, margin = s["extra"]["ratio_mean"], s["extra"]["ratio_margin_95"]
            self.assertLessEqual(s["extra"]["ratio_min"], mean)
            self.assertLessEqual(mean, s["extra"]["ratio_max"])
            self.assertGreaterEqual(margin, 0)
            self.assertLessEqual(margin, 4.303 * (s["extra"]["ratio_max"] - s["extra"]["ratio_min"]))
            # The fan-out goal is judged by that mean and interval.
            (goal,) = report["goals"]
            self.assertEqual((goal["scenario"], goal["figure"], goal["bound"]), ("fanout", "ratio", 0.8))
            self.assertEqual((goal["value"], goal["mean"], goal["margin_95"]), (s["ratio"], mean, margin))
            low, high = mean - margin, mean + margin
            self.assertEqual(goal["verdict"], "met" if low >= 0.8 else "met on average" if mean >= 0.8
                             else "not met on average" if high >= 0.8 else "not met")
            self.assertIn("fan-out: >= 0.8 x raw-curl", r.stdout)

    def test_compare_runs_the_other_build_in_alternating_order_on_empty_stores(self):
        with tempfile.TemporaryDirectory() as tmp:
            # The other build: this binary behind a script that notes each start and whether
            # its data directory already existed (a run must never open another run's store).
            starts = os.path.join(tmp, "starts")
            other = os.path.join(tmp, "other-hookshot")
            with open(other, "w") as f:
                f.write("#!/bin/sh\n"
                        "dir=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[\"data_dir\"])' \"$3\")\n"
                        f"if [ -e \"$dir\" ]; then echo \"$1 existing\" >> {starts}; "
                        f"else echo \"$1 empty\" >> {starts}; fi\n"
                        f"exec {HOOKSHOT} \"$@\"\n")
            os.chmod(other, 0o755)
            out_json = os.path.join(tmp, "b.json")
            r = subprocess.run([HOOKSHOT, "bench", "--quick", "--scenario", "fanout", "--rounds", "2",
                                "--compare", other, "--json", out_json, "--no-progress"],
                               capture_output=True, text=True, timeout=240)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            with open(starts) as f:
                self.assertEqual(f.read().splitlines(), ["serve empty", "serve empty"])
            self.assertIn("compared: A = this build's engine, B = " + other, r.stdout)
            self.assertIn("ratio by round, A | B:", r.stdout)
            self.assertIn("half the 95 % confidence interval of B - A", r.stdout)
            with open(out_json) as f:
                report = json.load(f)
            (a,) = report["scenarios"]
            self.assertEqual(a["extra"]["rounds"], 2)
            c = report["compare"]
            self.assertEqual(c["engine"], other)
            self.assertEqual(c["rounds"], 2)
            (b,) = c["scenarios"]
            self.assertEqual((b["name"], b["errors"], b["deliveries"]), ("fanout", 0, a["deliveries"]))
            (result,) = c["results"]
            self.assertEqual([x["first"] for x in result["rounds"]], ["a", "b"])
            ratio = next(x for x in result["summaries"] if x["figure"] == "ratio")
            self.assertEqual(ratio["pairs"], 2)
            ratios_a = [x["ratio_a"] for x in result["rounds"]]
            ratios_b = [x["ratio_b"] for x in result["rounds"]]
            self.assertAlmostEqual(ratio["mean_a"], sum(ratios_a) / 2)
            self.assertAlmostEqual(ratio["mean_difference"], (sum(ratios_b) - sum(ratios_a)) / 2)
            self.assertEqual(ratio["b_higher"], sum(rb > ra for ra, rb in zip(ratios_a, ratios_b)))
            # Two pairs: the 95 % margin is t(1) times the standard error of their differences.
            d = [rb - ra for ra, rb in zip(ratios_a, ratios_b)]
            self.assertAlmostEqual(ratio["margin_95"], 12.706 * abs(d[0] - d[1]) / 2, places=6)
            self.assertIn(a["ratio"], ratios_a)  # the table's round is one of A's own
            self.assertIn(b["ratio"], ratios_b)
            # The engines' own rates too: each side's ratio is to its own raw-curl.
            rate = next(x for x in result["summaries"] if x["figure"] == "deliveries_per_s")
            self.assertEqual(rate["pairs"], 2)
            self.assertGreater(min(rate["mean_a"], rate["mean_b"]), 0)
            # And each engine's anonymous memory at its peak.
            memory = next(x for x in result["summaries"] if x["figure"] == "peak_anon_mb")
            self.assertEqual(memory["pairs"], 2)
            self.assertGreater(min(memory["mean_a"], memory["mean_b"]), 1)
            self.assertIn("peak_anon_mb", r.stdout)

    def test_an_engine_that_exits_at_start_fails_its_scenario_at_once(self):
        with tempfile.TemporaryDirectory() as tmp:
            # A build that refuses this harness's config, as an older one refuses a newer key.
            other = os.path.join(tmp, "refusing-hookshot")
            with open(other, "w") as f:
                f.write("#!/bin/sh\necho \"config: unknown key 'settings.new.key'\" >&2\nexit 2\n")
            os.chmod(other, 0o755)
            work = os.path.join(tmp, "work")
            os.mkdir(work)
            r = subprocess.run([HOOKSHOT, "bench", "--quick", "--scenario", "fanout", "--compare", other,
                                "--work-dir", work, "--no-progress"],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
            self.assertIn("fanout failed with " + other + "'s engine: hookshot serve exited at start "
                          "(see fanout-serve.log)", r.stderr)
            with open(os.path.join(work, "fanout-serve.log")) as f:
                self.assertIn("unknown key 'settings.new.key'", f.read())

    def test_compare_needs_a_binary_to_run(self):
        r = subprocess.run([HOOKSHOT, "bench", "--compare", "/nonexistent/hookshot"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--compare needs a hookshot binary to run, and '/nonexistent/hookshot' is not one",
                      r.stderr)
        r = subprocess.run([HOOKSHOT, "bench", "--store-replay", "--compare", HOOKSHOT],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--compare measures engines, and --store-replay runs none", r.stderr)

    def test_bad_rounds_are_refused(self):
        r = subprocess.run([HOOKSHOT, "bench", "--rounds", "0"], capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--rounds must be a whole number from 1 to 50, not '0'", r.stderr)

    def test_soak_runs_when_named_and_reports_whether_memory_and_the_store_level_off(self):
        with tempfile.TemporaryDirectory() as tmp:
            out_json = os.path.join(tmp, "b.json")
            r = subprocess.run([HOOKSHOT, "bench", "--scenario", "soak", "--soak-seconds", "4",
                                "--soak-rate", "2000", "--soak-durability", "os", "--json",
                                out_json, "--no-progress"],
                               capture_output=True, text=True, timeout=120)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            with open(out_json) as f:
                report = json.load(f)
            [soak] = report["scenarios"]
            for field in FIELDS:
                self.assertIn(field, soak)
            self.assertEqual(soak["name"], "soak")
            self.assertEqual(soak["deliveries"], 8000)
            self.assertEqual(soak["errors"], 0)
            self.assertIsNone(soak["baseline"])
            extra = soak["extra"]
            self.assertEqual(extra["soak_s"], 4)
            self.assertEqual(extra["soak_rate_per_s"], 2000)
            # The engine's own memory and its data file: where each stood once the first quarter
            # was over, at the end, and their growth per minute in between (any sign: a slope).
            for what in ["anon_mb", "store_mb"]:
                self.assertGreater(extra[what + "_settled"], 0)
                self.assertGreater(extra[what + "_end"], 0)
                self.assertIn(what + "_per_min", extra)
            # LMDB's pages up to the last it wrote, within the blocks the writable map (os)
            # reserved ahead of them.
            self.assertGreater(extra["store_pages_mb"], 0)
            self.assertLessEqual(extra["store_pages_mb"], extra["store_mb_end"])
            self.assertIn("os, a steady 2000 events/s for 4 s; memory and data file from the "
                          "first quarter's end on", r.stdout)

    def test_bad_soak_flags_are_refused(self):
        for flag, value in [("--soak-seconds", "0"), ("--soak-rate", "fast"),
                            ("--soak-rate", "2000000")]:
            r = subprocess.run([HOOKSHOT, "bench", "--scenario", "soak", flag, value],
                               capture_output=True, text=True, timeout=30)
            self.assertEqual(r.returncode, 2)
            self.assertIn(flag + " must be a number above 0 and at most", r.stderr)
            self.assertIn("not '" + value + "'", r.stderr)
        r = subprocess.run([HOOKSHOT, "bench", "--scenario", "soak", "--soak-durability", "disk"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--soak-durability is fsync or os, not 'disk'", r.stderr)

    def test_soak_flags_without_the_soak_are_refused(self):
        for flag, value in [("--soak-seconds", "600"), ("--soak-durability", "os")]:
            r = subprocess.run([HOOKSHOT, "bench", "--scenario", "fanout", flag, value],
                               capture_output=True, text=True, timeout=30)
            self.assertEqual(r.returncode, 2)
            self.assertIn("runs only when named: add --scenario soak", r.stderr)

    def test_unknown_scenario_is_refused(self):
        r = subprocess.run([HOOKSHOT, "bench", "--scenario", "warp-speed"], capture_output=True,
                           text=True, timeout=30)
        self.assertEqual(r.returncode, 2)
        self.assertIn("unknown scenario 'warp-speed'", r.stderr)


if __name__ == "__main__":
    unittest.main()
