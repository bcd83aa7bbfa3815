#!/usr/bin/env python3
"""Writes the seed corpora under tests/Fuzz/corpus/<target>/ (committed; rerun only to change them).

Each target's input format (see the target's class in tests/Fuzz):
  http-head   schedule byte, then the bytes a client sends (request head, maybe a first frame after it)
  frames      schedule byte, receive-size byte, then client frames as on the wire
  base64      schedule byte, receive-size byte, fragmenting byte, then messages' text separated by NUL
  token-file  the file's text
  cli         argv, NUL-separated
  proxy-header  the first bytes a balancer sends: a PROXY v1 line or v2 header, maybe the request after it
Schedule 0 hands a read all it asks for; n > 0 splits the input into reads of 1..n bytes.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    directory = os.path.join(HERE, "corpus", target)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def frame(opcode, payload, fin=True, key=b"\x37\xfa\x21\x3d", masked=True, rsv=0, wide=False):
    n = len(payload)
    head = bytes([(0x80 if fin else 0) | rsv << 4 | opcode])
    mask = 0x80 if masked else 0
    if wide:
        head += bytes([mask | 127]) + struct.pack(">Q", n)
    elif n < 126:
        head += bytes([mask | n])
    elif n <= 0xFFFF:
        head += bytes([mask | 126]) + struct.pack(">H", n)
    else:
        head += bytes([mask | 127]) + struct.pack(">Q", n)
    if not masked:
        return head + payload
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def close(code=None, reason=b""):
    return frame(0x8, b"" if code is None else struct.pack(">H", code) + reason)


UPGRADE = (b"GET /websockify HTTP/1.1\r\nHost: localhost:6080\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n")

http = {
    "upgrade": UPGRADE + b"\r\n",
    "upgrade-split-reads": UPGRADE + b"\r\n",
    "upgrade-base64-subprotocol": UPGRADE + b"Sec-WebSocket-Protocol: base64, binary\r\nOrigin: http://localhost\r\n\r\n",
    "upgrade-token-query": UPGRADE.replace(b"/websockify", b"/websockify?token=vnc1&x=%41") + b"\r\n",
    "upgrade-then-frame": UPGRADE + b"\r\n" + frame(0x2, b"early"),
    "hixie76": (b"GET /demo HTTP/1.1\r\nHost: example.com\r\nConnection: Upgrade\r\nUpgrade: WebSocket\r\n"
                b"Origin: http://example.com\r\nSec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\n"
                b"Sec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\n\r\n^n:ds[4U"),
    "hixie75": b"GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: WebSocket\r\nOrigin: http://h\r\n\r\n",
    "plain-get": b"GET /vnc.html?x=1 HTTP/1.1\r\nHost: h\r\nIf-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n",
    "http10": b"GET / HTTP/1.0\r\n\r\n",
    "http2-version": b"GET / HTTP/2.0\r\n\r\n",
    "folded-header": b"GET / HTTP/1.1\r\nHost: h\r\n  folded\r\n\r\n",
    "bare-lf": b"GET / HTTP/1.1\nHost: h\n\n",
    "post-basic-auth": b"POST /x HTTP/1.1\r\nHost: h\r\nAuthorization: Basic dXNlcjpwYXNz\r\n\r\n",
    "incomplete": b"GET / HTTP/1.1\r\nHost: h\r\n",
}
for name, data in http.items():
    write("http-head", name, bytes([3 if "split" in name else 0]) + data)

frames = {
    "text": frame(0x1, b"hello") + close(1000),
    "binary": frame(0x2, bytes(range(32))) + close(1000, b"bye"),
    "ping-pong": frame(0x9, b"ping?") + frame(0xA, b"") + frame(0x2, b"x") + close(),
    "fragmented-text": frame(0x1, b"hel", fin=False) + frame(0x0, b"lo ", fin=False) + frame(0x0, b"world") + close(1001),
    "fragmented-ping-inside": frame(0x2, b"ab", fin=False) + frame(0x9, b"") + frame(0x0, b"cd") + close(1000),
    "length16": frame(0x2, bytes(200)) + close(1000),
    "length64": frame(0x2, bytes(300), wide=True) + close(1000),
    "empty-messages": frame(0x2, b"") + frame(0x1, b"", fin=False) + frame(0x0, b"") + close(),
    "close-utf8-reason": close(1000, "fin \u00e9".encode()),
    "close-bad-code": close(1005),
    "close-one-byte": frame(0x8, b"\x03"),
    "close-bad-utf8": close(1000, b"\xc3\x28"),
    "unmasked": frame(0x2, b"x", masked=False),
    "rsv-set": frame(0x2, b"x", rsv=4),
    "unknown-opcode": frame(0x3, b"x"),
    "long-ping": frame(0x9, bytes(126)),
    "stray-continuation": frame(0x0, b"x"),
    "eof-mid-frame": frame(0x2, b"truncated")[:-3],
}
for name, data in frames.items():
    write("frames", name, bytes([0, 0]) + data)
write("frames", "text-split-reads", bytes([5, 0x83]) + frames["fragmented-text"])
write("frames", "binary-small-buffers", bytes([0, 0x02]) + frames["length16"])

base64 = {
    "hello": (0, 0, 0, b"aGVsbG8="),
    "two-messages": (0, 0, 0, b"aGVsbG8gd29ybGQ=\0Zm9vYmFy"),
    "fragmented": (0, 0, 3, b"aGVsbG8gd29ybGQh"),
    "fragmented-ping": (0, 0, 0x85, b"AAECAwQFBgcICQoLDA0ODw=="),
    "split-reads-small-buffers": (2, 0x04, 1, b"Zm9vYmFyYmF6"),
    "padding-one": (0, 0, 0, b"YQ=="),
    "padding-two": (0, 0, 0, b"YWI="),
    "empty-message": (0, 0, 0, b"\0YQ=="),
    "whitespace": (0, 0, 2, b"aGVs bG8=\r\n"),
    "invalid-length": (0, 0, 0, b"abc"),
    "invalid-char": (0, 0, 0, b"ab$d"),
    "padding-inside": (0, 0, 0, b"YQ==YQ=="),
    "binary-frame": (0, 0, 0, b"\x01raw bytes"),
}
for name, (schedule, sizes, fragmenting, text) in base64.items():
    write("base64", name, bytes([schedule, sizes, fragmenting]) + text)

tokens = {
    "simple": b"vnc1: localhost:5901\nvnc2: 10.0.0.2:5900\n",
    "comments-blank-lines": b"# desktops\n\nvnc1: localhost:5901\n   \n# end\n",
    "crlf": b"vnc1: localhost:5901\r\nvnc2: [::1]:5902\r\n",
    "tab-separator": b"vnc1:\tlocalhost:5901\n",
    "ipv6": b"a: ::1:5901\nb: [fe80::1%eth0]:5900\n",
    "unix-socket": b"sock: unix_socket:/run/vnc/display.sock\n",
    "duplicate-token": b"t: h1:1\nt: h2:2\n",
    "leading-space-token": b"  t: h:1\n",
    "bad-lines": b"no separator\nt:h:1\nt: h: 1\nt: h:99999\nt: unix_socket:relative\n",
    "no-final-newline": b"t: h:5900",
}
for name, data in tokens.items():
    write("token-file", name, data)

cli = {
    "listen-target": ["6080", "localhost:5900"],
    "web": ["--web", "/usr/share/novnc", ":6080", "localhost:5901"],
    "tls": ["--cert=/etc/ws/cert.pem", "--key", "/etc/ws/key.pem", "--ssl-only", "0.0.0.0:443", "vnc:5900"],
    "token-plugin": ["--token-plugin", "TokenFile", "--token-source", "/etc/websockify/tokens", "6080"],
    "target-config": ["--target-config=/etc/tokens", "[::]:6080"],
    "wrap": ["-v", "6080", "--", "vncserver", ":1"],
    "wrap-mode": ["--wrap-mode=respawn", "5901", "--", "Xvnc", ":1"],
    "unix": ["--unix-listen", "/run/ws.sock", "--unix-target", "vnc.sock"],
    "heartbeat-timeouts": ["--heartbeat", "30", "--idle-timeout=60", "--timeout", "5", "6080", "h:1"],
    "short-cluster": ["-vD", "6080", "h:1"],
    "prefix-long": ["--verb", "--run-o", "6080", "h:1"],
    "syslog": ["--syslog", "localhost:514", "--legacy-syslog", "6080", "h:1"],
    "auth-plugin": ["--auth-plugin", "BasicHTTPAuth", "--auth-source", "user:pass", "6080", "h:1"],
    "missing-value": ["--cert"],
    "unknown-option": ["--frobnicate", "6080", "h:1"],
    "no-positionals": [],
    "help": ["--help"],
}
for name, argv in cli.items():
    write("cli", name, "\0".join(argv).encode())

SIGNATURE = b"\r\n\r\n\x00\r\nQUIT\n"


def v2(command, family, block):
    return SIGNATURE + bytes([0x20 | command, family]) + struct.pack(">H", len(block)) + block


tcp4 = bytes([192, 0, 2, 7, 10, 0, 0, 1]) + struct.pack(">HH", 54321, 6000)
tcp6 = bytes(range(16)) + bytes(range(16, 32)) + struct.pack(">HH", 1, 65535)
unix = b"/run/client.sock".ljust(108, b"\0") + b"/run/ws.sock".ljust(108, b"\0")
proxy = {
    "v1-tcp4": b"PROXY TCP4 192.0.2.7 10.0.0.1 54321 6000\r\nGET / HTTP/1.1\r\n",
    "v1-tcp6": b"PROXY TCP6 2001:db8::7 ::1 65535 0\r\n",
    "v1-unknown": b"PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n",
    "v1-bare-unknown": b"PROXY UNKNOWN\r\n",
    "v2-tcp4-tlvs": v2(1, 0x11, tcp4 + b"\x01\x00\x02h2" + b"\x04\x00\x00") + b"GET",
    "v2-tcp6": v2(1, 0x21, tcp6),
    "v2-unix": v2(1, 0x31, unix),
    "v2-local": v2(0, 0x11, tcp4),
    "v2-unspec": v2(1, 0x00, b""),
}
for name, data in proxy.items():
    write("proxy-header", name, data)
