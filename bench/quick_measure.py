#!/usr/bin/env python3
"""A quick end-to-end measurement until `hookshot bench` exists: wrk posts NDJSON batches to
/v1/events for --seconds, hookshot delivers them to `hookshot sink`, and this script reports
events accepted per second (wrk's count; requests still in flight when wrk stops are accepted
but not counted), deliveries completed per second from the start of intake until the last
delivery arrived, the CPU the engine used per delivery (intake included), and, measured in the
same run, wrk posting the same event straight to the same sink (the receiver's own limit).
Loopback only; bounded in time.

usage: bench/quick_measure.py [--webhooks 64] [--batch 100] [--seconds 10] [--durability os|fsync]
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.environ.get("HOOKSHOT_BIN", os.path.join(HERE, "../build/hookshot"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(port, proc, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            sys.exit(f"process exited early with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    sys.exit("timed out waiting for hookshot")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--webhooks", type=int, default=64)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--durability", default="os", choices=["os", "fsync"])
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="a hookshot setting, e.g. webhook.delivery.max.inflight=4")
    a = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed (apt-get install wrk)")
    tmp = tempfile.mkdtemp(prefix="hookshot-quick-")
    sink_port, port = free_port(), free_port()
    accounts = [{"id": f"acc-{i}", "name": f"user{i}", "domainid": "ROOT"} for i in range(a.webhooks)]
    hooks = [{"name": f"w{i}", "account": f"user{i}", "scope": "Local", "secretkey": "k",
              "payloadurl": f"http://127.0.0.1:{sink_port}/w{i}"} for i in range(a.webhooks)]
    cfg = {"listen": f"127.0.0.1:{port}", "data_dir": os.path.join(tmp, "data"),
           "durability": a.durability, "accounts": accounts, "webhooks": hooks,
           "settings": dict(kv.split("=", 1) for kv in a.set)}
    with open(os.path.join(tmp, "cfg.json"), "w") as f:
        json.dump(cfg, f)
    pad = "x" * 800  # ~1 KiB events
    lines = [json.dumps({"event": "VM.CREATE", "status": "Completed", "account": f"acc-{i % a.webhooks}",
                         "entity": "VirtualMachine", "description": pad}) for i in range(a.batch)]
    body = "\n".join(lines) + "\n"
    with open(os.path.join(tmp, "post.lua"), "w") as f:
        f.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/x-ndjson"\n'
                f"wrk.body = {json.dumps(body)}\n")
    sink = subprocess.Popen([BIN, "sink", "--quiet", "--listen", f"127.0.0.1:{sink_port}"],
                            stdout=subprocess.PIPE, text=True)
    received = [0]

    def follow_sink():  # the sink prints its running total once a second
        for line in sink.stdout:
            m = re.search(r"(\d+) requests", line)
            if m:
                received[0] = int(m.group(1))

    threading.Thread(target=follow_sink, daemon=True).start()
    hs = subprocess.Popen([BIN, "serve", "--config", os.path.join(tmp, "cfg.json")],
                          stdout=open(os.path.join(tmp, "serve.log"), "w"))
    try:
        wait_healthy(port, hs)
        # Baseline in the same run: wrk POSTs one event body straight to the same sink, with
        # as many connections as the engine may have in flight (the sink's and loopback's limit).
        in_flight = a.webhooks * int(dict(kv.split("=", 1) for kv in a.set).get(
            "webhook.delivery.max.inflight", 16))
        with open(os.path.join(tmp, "one.lua"), "w") as f:
            f.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                    f"wrk.body = {json.dumps(lines[0])}\n")
        base_out = subprocess.run(["wrk", "-t1", f"-c{min(in_flight, 256)}", f"-d{max(2, a.seconds // 2)}s",
                                   "-s", os.path.join(tmp, "one.lua"), f"http://127.0.0.1:{sink_port}/base"],
                                  capture_output=True, text=True, timeout=a.seconds + 30).stdout
        baseline = float(re.search(r"Requests/sec:\s+([\d.]+)", base_out).group(1))
        time.sleep(1.5)  # let the sink's per-second counter settle
        base_count = received[0]
        cpu0 = cpu_seconds(hs.pid)
        t0 = time.time()
        out = subprocess.run(["wrk", "-t1", f"-c{a.connections}", f"-d{a.seconds}s",
                              "-s", os.path.join(tmp, "post.lua"), f"http://127.0.0.1:{port}/v1/events"],
                             capture_output=True, text=True, timeout=a.seconds + 30).stdout
        intake_seconds = time.time() - t0
        reqs = int(re.search(r"(\d+) requests in", out).group(1))
        non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        events = reqs * a.batch
        # Drain: wait for every accepted event's delivery (fan-out 1), bounded.
        last, last_change = received[0], time.time()
        while received[0] - base_count < events and time.time() - last_change < 10:
            time.sleep(0.2)
            if received[0] != last:
                last, last_change = received[0], time.time()
        drained = time.time() - t0
        cpu = cpu_seconds(hs.pid) - cpu0
        sink.send_signal(signal.SIGTERM)
        sink.wait(10)
        delivered = received[0] - base_count
        hs.send_signal(signal.SIGTERM)
        hs.wait(60)
        with open(os.path.join(tmp, "serve.log")) as f:
            stopped = [l for l in f if "stopped" in l]
        storage = re.search(r"\((.*)\)", stopped[-1]).group(1) if stopped else ""
        print(json.dumps({
            "webhooks": a.webhooks, "batch": a.batch, "durability": a.durability, "settings": a.set,
            "intake_seconds": round(intake_seconds, 2),
            "events_accepted": events, "events_accepted_per_s": round(events / intake_seconds),
            "non_2xx": int(non2xx.group(1)) if non2xx else 0,
            "deliveries_completed": delivered, "drain_seconds": round(drained, 2),
            "deliveries_per_s": round(delivered / drained),
            "baseline_wrk_to_sink_per_s": round(baseline),
            "ratio_to_baseline": round(delivered / drained / baseline, 3),
            "engine_cpu_us_per_delivery": round(cpu * 1e6 / max(delivered, 1), 1),
            "storage": storage,
        }, indent=1))
    finally:
        for p in (hs, sink):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(30)
                except subprocess.TimeoutExpired:
                    p.kill()
        if not os.environ.get("KEEP_TMP"):
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print("kept", tmp)


if __name__ == "__main__":
    main()
