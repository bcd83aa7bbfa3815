/* tlsload: the TLS side of `make bench`. The shared wsload speaks no TLS, so the wss:// runs
 * (ours with --cert, socat with OPENSSL-LISTEN) use this client. It speaks the shared target's
 * protocol (../shared/bench/src/common.h) inside TLS, framed as WebSocket messages or, with --raw,
 * as plain bytes for a TLS-to-TCP relay such as socat. Every byte is checked against the pattern.
 *
 *   tlsload download --port P --bytes N [--raw]           one connection, target streams N bytes
 *   tlsload upload   --port P --bytes N [--raw] [--frame F]  N bytes up in F-byte masked frames
 *   tlsload connrate --port P [--parallel K] [--duration S] [--raw]
 *       cycles of connect + TLS handshake (full, no resumption) + WebSocket handshake + one 64-byte
 *       echo + close, in K threads for S seconds after a 0.5 s warm-up
 * Prints one line of key=value pairs; exit status 0 only if every byte was right.
 */
#define _GNU_SOURCE
#include "common.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define RBUF (256 * 1024)

static int g_port;
static int g_raw;
static SSL_CTX *g_ctx;

static void die(const char *what) {
    fprintf(stderr, "tlsload: %s\n", what);
    ERR_print_errors_fp(stderr);
    exit(2);
}

typedef struct {
    int fd;
    SSL *ssl;
} conn;

static int conn_open(conn *c) {
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (c->fd < 0) return -1;
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)g_port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(c->fd, (struct sockaddr *)&a, sizeof a) < 0) { close(c->fd); return -1; }
    c->ssl = SSL_new(g_ctx);
    if (!c->ssl) { close(c->fd); return -1; }
    SSL_set_fd(c->ssl, c->fd);
    if (SSL_connect(c->ssl) != 1) { SSL_free(c->ssl); close(c->fd); return -1; }
    return 0;
}

static void conn_close(conn *c) {
    SSL_shutdown(c->ssl); /* our close_notify; we do not wait for theirs */
    SSL_free(c->ssl);
    close(c->fd);
}

static int write_all(conn *c, const void *p, size_t n) {
    while (n > 0) {
        size_t w = 0;
        if (SSL_write_ex(c->ssl, p, n, &w) != 1) return -1;
        p = (const uint8_t *)p + w;
        n -= w;
    }
    return 0;
}

/* One masked client frame (binary 0x2 or close 0x8) around payload, written in one SSL_write. */
static int send_frame(conn *c, int opcode, const uint8_t *payload, size_t n, uint8_t *scratch) {
    size_t h = 0;
    scratch[h++] = (uint8_t)(0x80 | opcode);
    if (n < 126) scratch[h++] = (uint8_t)(0x80 | n);
    else if (n < 65536) { scratch[h++] = 0x80 | 126; scratch[h++] = (uint8_t)(n >> 8); scratch[h++] = (uint8_t)n; }
    else { scratch[h++] = 0x80 | 127; for (int i = 7; i >= 0; i--) scratch[h++] = (uint8_t)((uint64_t)n >> (8 * i)); }
    static const uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
    memcpy(scratch + h, key, 4);
    h += 4;
    uint64_t k8;
    uint8_t kb[8];
    for (int i = 0; i < 8; i++) kb[i] = key[i & 3];
    memcpy(&k8, kb, 8);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) { uint64_t v; memcpy(&v, payload + i, 8); v ^= k8; memcpy(scratch + h + i, &v, 8); }
    for (; i < n; i++) scratch[h + i] = payload[i] ^ key[i & 3];
    return write_all(c, scratch, h + n);
}

/* Sends the 16-byte target header: a binary message, or raw bytes to a TCP relay. */
static int send_data(conn *c, const uint8_t *p, size_t n, uint8_t *scratch) {
    return g_raw ? write_all(c, p, n) : send_frame(c, 0x2, p, n, scratch);
}

static int ws_handshake(conn *c) {
    if (g_raw) return 0;
    static const char req[] =
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Protocol: binary\r\n\r\n";
    if (write_all(c, req, sizeof req - 1) < 0) return -1;
    /* Read the response byte-wise up to its blank line, so no frame byte is consumed here. */
    char resp[4096];
    size_t got = 0;
    while (got < sizeof resp - 1) {
        size_t r = 0;
        if (SSL_read_ex(c->ssl, resp + got, 1, &r) != 1) return -1;
        got += r;
        if (got >= 4 && memcmp(resp + got - 4, "\r\n\r\n", 4) == 0) break;
    }
    resp[got] = 0;
    return strncmp(resp, "HTTP/1.1 101", 12) == 0 ? 0 : -1;
}

/* The server's byte stream as payload: WebSocket frames unwrapped (unmasked, data or close), or raw.
 * Returns payload bytes placed in out, 0 at the end of the stream (EOF or close frame), -1 on error. */
typedef struct {
    uint8_t buf[RBUF];
    size_t start, end;
    uint64_t frame_left;
    int closed;
} reader;

static int fill(conn *c, reader *r) {
    if (r->start == r->end) r->start = r->end = 0;
    if (r->end == RBUF) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->start = 0;
    }
    size_t n = 0;
    if (SSL_read_ex(c->ssl, r->buf + r->end, RBUF - r->end, &n) != 1) return 0;
    r->end += n;
    return (int)n;
}

static long read_payload(conn *c, reader *r, const uint8_t **out) {
    for (;;) {
        if (r->closed) return 0;
        if (g_raw || r->frame_left > 0) {
            if (r->start == r->end && fill(c, r) <= 0) return 0;
            size_t n = r->end - r->start;
            if (!g_raw && n > r->frame_left) n = (size_t)r->frame_left;
            *out = r->buf + r->start;
            r->start += n;
            if (!g_raw) r->frame_left -= n;
            return (long)n;
        }
        size_t have = r->end - r->start;
        const uint8_t *p = r->buf + r->start;
        size_t need = 2;
        if (have >= 2) {
            int len7 = p[1] & 0x7f;
            need = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0);
        }
        if (have < need) { if (fill(c, r) <= 0) return -1; continue; }
        if (p[1] & 0x80) return -1; /* a server must not mask */
        int op = p[0] & 0x0f;
        uint64_t len = p[1] & 0x7f;
        if (len == 126) len = ((uint64_t)p[2] << 8) | p[3];
        else if (len == 127) { len = 0; for (int i = 2; i < 10; i++) len = (len << 8) | p[i]; }
        r->start += need;
        if (op == 0x8) { r->closed = 1; return 0; }
        if (op >= 0x8) { /* ping/pong: skip the payload */
            while (r->end - r->start < len) if (fill(c, r) <= 0) return -1;
            r->start += (size_t)len;
            continue;
        }
        r->frame_left = len;
    }
}

static uint64_t arg_u64(int argc, char **argv, const char *name, uint64_t dflt) {
    for (int i = 2; i + 1 < argc; i++) if (strcmp(argv[i], name) == 0) return strtoull(argv[i + 1], NULL, 10);
    return dflt;
}

static int has_flag(int argc, char **argv, const char *name) {
    for (int i = 2; i < argc; i++) if (strcmp(argv[i], name) == 0) return 1;
    return 0;
}

static int run_download(uint64_t bytes) {
    conn c;
    if (conn_open(&c) < 0 || ws_handshake(&c) < 0) die("connect/handshake failed");
    static uint8_t scratch[64];
    uint8_t hdr[HDR_LEN];
    hdr_encode(hdr, 'S', 0, bytes);
    reader *r = calloc(1, sizeof *r);
    uint64_t t0 = now_ns();
    if (send_data(&c, hdr, HDR_LEN, scratch) < 0) die("send failed");
    uint64_t got = 0, bad = 0;
    while (got < bytes) {
        const uint8_t *p;
        long n = read_payload(&c, r, &p);
        if (n <= 0) break;
        for (long off = 0; off < n;) {
            size_t part = (size_t)(n - off) < PAT_LEN ? (size_t)(n - off) : PAT_LEN;
            bad += pat_mismatches(p + off, part, got);
            got += part;
            off += (long)part;
        }
    }
    double secs = (double)(now_ns() - t0) / 1e9;
    printf("mode=download bytes=%llu secs=%.6f mbps=%.1f bad=%llu tls=%s cipher=%s\n", (unsigned long long)got, secs,
           (double)got / secs / 1e6, (unsigned long long)bad, SSL_get_version(c.ssl), SSL_get_cipher_name(c.ssl));
    conn_close(&c);
    free(r);
    return got == bytes && bad == 0 ? 0 : 1;
}

static int run_upload(uint64_t bytes, size_t frame) {
    conn c;
    if (conn_open(&c) < 0 || ws_handshake(&c) < 0) die("connect/handshake failed");
    uint8_t *scratch = malloc(frame + 14);
    uint8_t hdr[HDR_LEN];
    hdr_encode(hdr, 'K', 0, bytes);
    reader *r = calloc(1, sizeof *r);
    uint64_t t0 = now_ns();
    if (send_data(&c, hdr, HDR_LEN, scratch) < 0) die("send failed");
    for (uint64_t sent = 0; sent < bytes;) {
        size_t n = bytes - sent < frame ? (size_t)(bytes - sent) : frame;
        if (send_data(&c, pat_at(sent), n, scratch) < 0) die("send failed");
        sent += n;
    }
    uint8_t ack[ACK_LEN];
    size_t have = 0;
    while (have < ACK_LEN) {
        const uint8_t *p;
        long n = read_payload(&c, r, &p);
        if (n <= 0) die("no ack");
        size_t take = (size_t)n < ACK_LEN - have ? (size_t)n : ACK_LEN - have;
        memcpy(ack + have, p, take);
        have += take;
    }
    double secs = (double)(now_ns() - t0) / 1e9;
    conn_close(&c);
    uint64_t done = get_u64(ack + 8);
    uint32_t bad = get_u32(ack + 4);
    printf("mode=upload bytes=%llu secs=%.6f mbps=%.1f bad=%u\n", (unsigned long long)done, secs,
           (double)done / secs / 1e6, bad);
    free(scratch);
    free(r);
    return memcmp(ack, "ACK1", 4) == 0 && done == bytes && bad == 0 ? 0 : 1;
}

static uint64_t g_warm_until, g_stop_at;
static atomic_ulong g_cycles, g_failures;

static int one_cycle(reader *r, uint8_t *scratch) {
    conn c;
    if (conn_open(&c) < 0) return -1;
    int ok = -1;
    r->start = r->end = 0;
    r->frame_left = 0;
    r->closed = 0;
    uint8_t msg[HDR_LEN + 64];
    hdr_encode(msg, 'E', 0, 0);
    memcpy(msg + HDR_LEN, pat_at(0), 64);
    if (ws_handshake(&c) == 0 && send_data(&c, msg, HDR_LEN, scratch) == 0 && send_data(&c, msg + HDR_LEN, 64, scratch) == 0) {
        uint8_t echo[64];
        size_t have = 0;
        while (have < 64) {
            const uint8_t *p;
            long n = read_payload(&c, r, &p);
            if (n <= 0) break;
            size_t take = (size_t)n < 64 - have ? (size_t)n : 64 - have;
            memcpy(echo + have, p, take);
            have += take;
        }
        if (have == 64 && memcmp(echo, pat_at(0), 64) == 0) {
            ok = 0;
            if (!g_raw) {
                static const uint8_t code[2] = {0x03, 0xe8};
                const uint8_t *p;
                if (send_frame(&c, 0x8, code, 2, scratch) < 0) ok = -1;
                else while (read_payload(&c, r, &p) > 0) {} /* until their close or EOF */
            }
        }
    }
    conn_close(&c);
    return ok;
}

static void *connrate_worker(void *arg) {
    (void)arg;
    reader *r = malloc(sizeof *r);
    uint8_t scratch[256];
    while (now_ns() < g_stop_at) {
        int rc = one_cycle(r, scratch);
        if (now_ns() < g_warm_until) continue;
        if (rc == 0) atomic_fetch_add(&g_cycles, 1);
        else atomic_fetch_add(&g_failures, 1);
    }
    free(r);
    return NULL;
}

static int run_connrate(int parallel, double duration) {
    uint64_t t0 = now_ns();
    g_warm_until = t0 + 500000000ull;
    g_stop_at = g_warm_until + (uint64_t)(duration * 1e9);
    pthread_t th[256];
    for (int i = 0; i < parallel; i++) pthread_create(&th[i], NULL, connrate_worker, NULL);
    for (int i = 0; i < parallel; i++) pthread_join(th[i], NULL);
    unsigned long cycles = atomic_load(&g_cycles), failures = atomic_load(&g_failures);
    printf("mode=connrate parallel=%d secs=%.3f cycles=%lu per_sec=%.1f failures=%lu\n", parallel, duration, cycles,
           (double)cycles / duration, failures);
    return failures == 0 && cycles > 0 ? 0 : 1;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: tlsload download|upload|connrate --port P [--bytes N] [--frame F] [--parallel K] [--duration S] [--raw]\n");
        return 2;
    }
    g_port = (int)arg_u64(argc, argv, "--port", 0);
    g_raw = has_flag(argc, argv, "--raw");
    if (g_port <= 0 || g_port > 65535) die("--port is required");
    signal(SIGPIPE, SIG_IGN); /* a peer that closed first is an error result, not a kill */
    pat_init();
    g_ctx = SSL_CTX_new(TLS_client_method());
    if (!g_ctx) die("SSL_CTX_new");
    SSL_CTX_set_verify(g_ctx, SSL_VERIFY_NONE, NULL); /* a self-signed bench certificate on loopback */
    SSL_CTX_set_session_cache_mode(g_ctx, SSL_SESS_CACHE_OFF); /* every connection pays a full handshake */
    if (strcmp(argv[1], "download") == 0) return run_download(arg_u64(argc, argv, "--bytes", 1000000000ull));
    if (strcmp(argv[1], "upload") == 0)
        return run_upload(arg_u64(argc, argv, "--bytes", 1000000000ull), (size_t)arg_u64(argc, argv, "--frame", 65536));
    if (strcmp(argv[1], "connrate") == 0) {
        int parallel = (int)arg_u64(argc, argv, "--parallel", 16);
        if (parallel < 1 || parallel > 256) die("--parallel is 1..256");
        return run_connrate(parallel, (double)arg_u64(argc, argv, "--duration", 5));
    }
    die("unknown mode");
    return 2;
}
