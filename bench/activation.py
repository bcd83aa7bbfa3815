#!/usr/bin/env python3
"""Socket activation with Accept=yes: what each connection pays before its first 101.

systemd-socket-activate --accept listens and, per connection, execs the daemon with that accepted
socket (LISTEN_FDS=1), as systemd does for a websockify@.socket with Accept=yes. We time from our
connect() to the end of the 101 response: exec, runtime start, our start-up, the handshake and the
target connect all fall in it. Runs are sequential and interleaved across the binaries given.

usage: activation.py --target BIN --out DIR [--runs 20] [--base-port P] NAME=BINARY [NAME=BINARY ...]
"""
import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import time

REQUEST = (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
           b"Sec-WebSocket-Protocol: binary\r\n\r\n")
CLOSE = bytes([0x88, 0x82, 1, 2, 3, 4, 0x03 ^ 1, 0xE8 ^ 2])  # masked close, code 1000


def wait_port(port, limit=20.0):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=0.5)
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"activation: nothing listens on {port} after {limit} s")


def one(port):
    t0 = time.perf_counter()
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.sendall(REQUEST)
    got = b""
    while b"\r\n\r\n" not in got:
        chunk = s.recv(4096)
        if not chunk:
            raise RuntimeError(f"connection closed before the response: {got!r}")
        got += chunk
    elapsed = time.perf_counter() - t0
    if not got.startswith(b"HTTP/1.1 101"):
        raise RuntimeError(f"not a 101: {got[:80]!r}")
    s.sendall(CLOSE)
    s.settimeout(5)
    try:
        while s.recv(4096):
            pass
    except OSError:
        pass
    s.close()
    return elapsed * 1000


def start_activator(name, binary, target_port, port, out):
    log = open(os.path.join(out, f"activation-{name}.log"), "w")
    act = subprocess.Popen(["systemd-socket-activate", "--accept", "-l", f"127.0.0.1:{port}",
                            binary, f"127.0.0.1:{target_port}"],
                           stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    # The activator binds at once; this probe connection runs a whole daemon too (a first warm-up).
    wait_port(port).close()
    return act


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--target", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--base-port", type=int, default=17400)
    ap.add_argument("binaries", nargs="+")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    target = subprocess.Popen([a.target, "--listen", f"127.0.0.1:{a.base_port}", "--max-time", "600", "--quiet"],
                              start_new_session=True)
    lines = [f"### Socket activation (systemd-socket-activate --accept): connect → end of 101, {a.runs} runs each",
             "", "| binary | median ms | min | p90 | max |", "|---|---:|---:|---:|---:|"]
    activators = []
    try:
        wait_port(a.base_port).close()
        names = []
        for i, spec in enumerate(a.binaries):
            name, binary = spec.split("=", 1)
            port = a.base_port + 1 + i
            activators.append(start_activator(name, binary, a.base_port, port, a.out))
            names.append((name, port))
        time.sleep(0.5)
        times = {name: [] for name, _ in names}
        # Interleaved, the order turning each round (as the shared harness does), so drift on this
        # machine hits every binary alike; two warm-up rounds (page cache, first exec).
        for i in range(a.runs + 2):
            for name, port in (names if i % 2 == 0 else names[::-1]):
                ms = one(port)
                if i >= 2:
                    times[name].append(ms)
                time.sleep(0.2)  # the child ends its session and exits first
        for name, _ in names:
            t = sorted(times[name])
            p90 = t[min(len(t) - 1, int(round(0.9 * (len(t) - 1))))]
            lines.append(f"| {name} | {statistics.median(t):.2f} | {t[0]:.2f} | {p90:.2f} | {t[-1]:.2f} |")
    finally:
        for act in activators:
            os.killpg(act.pid, signal.SIGTERM)
            act.wait(timeout=10)
        os.killpg(target.pid, signal.SIGTERM)
        target.wait(timeout=10)
    report = "\n".join(lines) + "\n"
    with open(os.path.join(a.out, "activation-report.md"), "w") as f:
        f.write(report)
    print(report)


if __name__ == "__main__":
    sys.exit(main())
