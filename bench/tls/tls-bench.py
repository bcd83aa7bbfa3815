#!/usr/bin/env python3
"""wss:// beside socat OPENSSL-LISTEN: TS1 download, TS2 upload, TS5 connection cycles (16 parallel).

Both proxies run at once on their own ports in front of the shared harness's target, with the same
self-signed P-256 certificate; each rep runs every proxy, the order alternating rep by rep as the
shared harness does. CPU is utime+stime+cutime+cstime over the proxy's process tree (socat forks one
child per connection; reaped children count in cutime). The table shows medians and the ± half-spread.

usage: tls-bench.py --ours BIN --tlsload BIN --target BIN --out DIR [--reps N] [--bytes N] [--base-port P]
"""
import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


def tree_cpu(root):
    """CPU seconds of root and its live descendants, including reaped children."""
    parents, cpu = {}, {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(name)
        parents[pid] = int(fields[1])
        cpu[pid] = sum(int(x) for x in fields[11:15]) / TICK
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += cpu.get(pid, 0.0)
        todo.extend(p for p, pp in parents.items() if pp == pid)
    return total


def wait_port(port, limit=20.0):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"tls-bench: nothing listens on {port} after {limit} s")


def stop(proc):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def run_load(args, timeout=120):
    out = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: exit {out.returncode}: {out.stdout.strip()} {out.stderr.strip()}")
    return dict(kv.split("=", 1) for kv in out.stdout.split())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ours", required=True)
    ap.add_argument("--tlsload", required=True)
    ap.add_argument("--target", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--bytes", type=int, default=2_000_000_000)
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--base-port", type=int, default=17300)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    cert, key = os.path.join(a.out, "cert.pem"), os.path.join(a.out, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1"],
                   check=True, capture_output=True)
    tport = a.base_port
    proxies = [
        ("socat-openssl", tport + 2, True,
         ["socat", "-b65536", f"OPENSSL-LISTEN:{tport + 2},bind=127.0.0.1,fork,reuseaddr,backlog=4096,"
          f"cert={cert},key={key},verify=0", f"TCP:127.0.0.1:{tport}"]),
        ("websockify-unix", tport + 1, False,
         [a.ours, "--cert", cert, "--key", key, "--ssl-only", f"127.0.0.1:{tport + 1}", f"127.0.0.1:{tport}"]),
    ]
    procs = []
    try:
        target = subprocess.Popen([a.target, "--listen", f"127.0.0.1:{tport}", "--max-time", "3600", "--quiet"],
                                  start_new_session=True)
        procs.append(target)
        wait_port(tport)
        running = {}
        for name, port, raw, cmd in proxies:
            log = open(os.path.join(a.out, f"proxy-{name}.log"), "w")
            p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            procs.append(p)
            wait_port(port)
            running[name] = (p, port, raw)

        def one(name, scenario):
            p, port, raw = running[name]
            base = [a.tlsload, scenario, "--port", str(port)] + (["--raw"] if raw else [])
            if scenario == "connrate":
                base += ["--parallel", "16", "--duration", str(a.duration)]
            else:
                base += ["--bytes", str(a.bytes)]
            before = tree_cpu(p.pid)
            r = run_load(base)
            time.sleep(0.2)  # let socat's children exit and be reaped into cutime
            r["cpu_s"] = tree_cpu(p.pid) - before
            return r

        # Warm-up: one small run of each kind per proxy (JIT-free here, but caches and pools).
        for name in running:
            run_load([a.tlsload, "download", "--port", str(running[name][1]), "--bytes", "200000000"] +
                     (["--raw"] if running[name][2] else []))
        results = {n: {"download": [], "upload": [], "connrate": []} for n in running}
        names = list(running)
        for rep in range(a.reps):
            order = names if rep % 2 == 0 else names[::-1]
            for scenario in ("download", "upload", "connrate"):
                for name in order:
                    results[name][scenario].append(one(name, scenario))
    finally:
        for p in reversed(procs):
            stop(p)

    def med(values):
        m = statistics.median(values)
        spread = (max(values) - min(values)) / 2 / m * 100 if m else 0
        return m, spread

    rows = []
    for name in names:
        r = results[name]
        s1, s1s = med([float(x["mbps"]) for x in r["download"]])
        s2, s2s = med([float(x["mbps"]) for x in r["upload"]])
        s5, s5s = med([float(x["per_sec"]) for x in r["connrate"]])
        c1, _ = med([x["cpu_s"] / (int(x["bytes"]) / 1e9) for x in r["download"]])
        c2, _ = med([x["cpu_s"] / (int(x["bytes"]) / 1e9) for x in r["upload"]])
        c5, _ = med([x["cpu_s"] * 1000 / max(1, int(x["cycles"])) for x in r["connrate"]])
        rows.append((name, s1, s1s, s2, s2s, s5, s5s, c1, c2, c5))
    lines = [
        f"### wss:// (TLS) beside socat OPENSSL-LISTEN — medians of {a.reps}, ±half-spread",
        "",
        "| proxy | TS1 download MB/s | TS2 upload MB/s (64 KiB frames) | TS5 cycles/s, 16 parallel | CPU s/GB down / up | CPU ms/cycle |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, s1, s1s, s2, s2s, s5, s5s, c1, c2, c5 in rows:
        lines.append(f"| {name} | {s1:,.0f} ±{s1s:.0f}% | {s2:,.0f} ±{s2s:.0f}% | {s5:,.0f} ±{s5s:.0f}% | {c1:.2f} / {c2:.2f} | {c5:.2f} |")
    ours = next(r for r in rows if r[0] == "websockify-unix")
    soc = next(r for r in rows if r[0] == "socat-openssl")
    lines += ["", f"Ratios ours/socat: TS1 {ours[1] / soc[1]:.2f}×, TS2 {ours[3] / soc[3]:.2f}×, TS5 {ours[5] / soc[5]:.2f}×; "
              f"CPU per GB {ours[7] / soc[7]:.2f}× down, {ours[8] / soc[8]:.2f}× up.",
              "", f"Certificate: self-signed ECDSA P-256; TLS as negotiated by OpenSSL {subprocess.run(['openssl', 'version'], capture_output=True, text=True).stdout.split()[1]} (TLS 1.3), full handshake every cycle.",
              f"Commands: `{' '.join(proxies[0][3])}`; `{' '.join(proxies[1][3])}`; client `bench/tls/tlsload.c`."]
    report = "\n".join(lines) + "\n"
    with open(os.path.join(a.out, "tls-report.md"), "w") as f:
        f.write(report)
    with open(os.path.join(a.out, "tls-results.json"), "w") as f:
        json.dump(results, f, indent=1)
    print(report)


if __name__ == "__main__":
    sys.exit(main())
