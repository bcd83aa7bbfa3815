/*
 * A small TCP server for wrap-mode tests: binds PORT the way real daemons do and greets each client
 * with "hello <pid> <family>\n", then echoes. Usage:
 *   bindserver PORT 4|6|both [--fork] [--probe] [--exit-after N STATUS] [--listen-delay MS]
 * --fork:        the parent forks and exits 0 at once; the child binds and serves (a daemonizing program)
 * --probe:       first bind the port and close it again, as vncserver does to test that it is free
 * --exit-after:  exit with STATUS after serving N connections
 * --listen-delay: sleep between bind() and listen()
 * --udp:         first bind a UDP socket to PORT (first family); the greeting adds " udp=ADDR:PORT"
 * --open-files N: open N files first, so the sockets get high fd numbers; the greeting adds " fd=FD"
 * --dup-listen:  listen on a dup3() copy of each socket (at fd + 64), the original closed
 * --stale-decoy: probe the port, close the probe with close_range(), then listen on an unrelated
 *                socket (wildcard, any port) that gets the probe's fd number; it greets with "decoy"
 * --check-environ: exit 17 if bind() changed the environ array or any of its entries
 * --reexec:      probe the port, then execute this program again (without --reexec), which must
 *                bind the probe's port (--expect-port P: exit 18 when a socket is bound elsewhere)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

extern char **environ;

static int local_port(int fd, char *address, size_t size)
{
    struct sockaddr_storage local;
    socklen_t length = sizeof(local);
    if (getsockname(fd, (struct sockaddr *)&local, &length) != 0) return -1;
    if (local.ss_family == AF_INET6) {
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&local)->sin6_addr, address, (socklen_t)size);
        return ntohs(((struct sockaddr_in6 *)&local)->sin6_port);
    }
    inet_ntop(AF_INET, &((struct sockaddr_in *)&local)->sin_addr, address, (socklen_t)size);
    return ntohs(((struct sockaddr_in *)&local)->sin_port);
}

static int open_socket_of(int family, int type, int port)
{
    int fd = socket(family, type, 0), one = 1;
    if (fd < 0) { perror("socket"); exit(10); }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (family == AF_INET6) {
        struct sockaddr_in6 a;
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
        memset(&a, 0, sizeof(a));
        a.sin6_family = AF_INET6;
        a.sin6_addr = in6addr_any;
        a.sin6_port = htons((unsigned short)port);
        if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0) { perror("bind6"); exit(11); }
    } else {
        struct sockaddr_in a;
        memset(&a, 0, sizeof(a));
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_ANY);
        a.sin_port = htons((unsigned short)port);
        if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0) { perror("bind4"); exit(12); }
    }
    return fd;
}

static int open_socket(int family, int port) { return open_socket_of(family, SOCK_STREAM, port); }

static char extra[128];

static void serve(int client, const char *family)
{
    char buffer[4096];
    ssize_t n;
    int length = snprintf(buffer, sizeof(buffer), "hello %d %s%s\n", (int)getpid(), family, extra);
    if (write(client, buffer, (size_t)length) != length) return;
    while ((n = read(client, buffer, sizeof(buffer))) > 0)
        if (write(client, buffer, (size_t)n) != n) break;
}

int main(int argc, char **argv)
{
    int port, fds[3], count = 0, served = 0, exit_after = -1, exit_status = 0, listen_delay = 0, i;
    int do_fork = 0, probe = 0, udp = 0, open_files = 0, dup_listen = 0, stale_decoy = 0, check_environ = 0;
    int reexec = 0, expect_port = -1, environ_count = 0;
    const char *names[3];
    char **saved_environ = NULL, *saved_entries[512];
    if (argc < 3) { fprintf(stderr, "usage: bindserver PORT 4|6|both [options]\n"); return 2; }
    port = atoi(argv[1]);
    for (i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "--fork")) do_fork = 1;
        else if (!strcmp(argv[i], "--probe")) probe = 1;
        else if (!strcmp(argv[i], "--exit-after") && i + 2 < argc) { exit_after = atoi(argv[++i]); exit_status = atoi(argv[++i]); }
        else if (!strcmp(argv[i], "--listen-delay") && i + 1 < argc) listen_delay = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--udp")) udp = 1;
        else if (!strcmp(argv[i], "--open-files") && i + 1 < argc) open_files = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--dup-listen")) dup_listen = 1;
        else if (!strcmp(argv[i], "--stale-decoy")) stale_decoy = 1;
        else if (!strcmp(argv[i], "--check-environ")) check_environ = 1;
        else if (!strcmp(argv[i], "--reexec")) reexec = 1;
        else if (!strcmp(argv[i], "--expect-port") && i + 1 < argc) expect_port = atoi(argv[++i]);
    }
    if (check_environ) {
        saved_environ = environ;
        while (environ[environ_count] != NULL && environ_count < 512) { saved_entries[environ_count] = environ[environ_count]; environ_count++; }
    }
    if (open_files > 0) {
        struct rlimit limit;
        if (getrlimit(RLIMIT_NOFILE, &limit) != 0) { perror("getrlimit"); return 19; }
        limit.rlim_cur = limit.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &limit) != 0) { perror("setrlimit"); return 19; }
        for (i = 0; i < open_files; i++) if (open("/dev/null", O_RDONLY | O_CLOEXEC) < 0) { perror("open"); return 19; }
    }
    if (do_fork) {
        pid_t child = fork();
        if (child < 0) { perror("fork"); return 13; }
        if (child > 0) return 0;
        setvbuf(stdout, NULL, _IONBF, 0);
    }
    if (udp) {
        char address[64];
        int u = open_socket_of(strcmp(argv[2], "6") ? AF_INET : AF_INET6, SOCK_DGRAM, port);
        int bound = local_port(u, address, sizeof(address));
        snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra), " udp=%s:%d", address, bound);
    }
    if (probe || reexec) {
        char address[64], text[16];
        int p = open_socket(strcmp(argv[2], "6") ? AF_INET : AF_INET6, port);
        int probed = local_port(p, address, sizeof(address));
        close(p);
        if (reexec) {
            char *args[64];
            int n = 0;
            for (i = 0; i < argc && n < 60; i++) if (strcmp(argv[i], "--reexec")) args[n++] = argv[i];
            snprintf(text, sizeof(text), "%d", probed);
            args[n++] = "--expect-port";
            args[n++] = text;
            args[n] = NULL;
            execv("/proc/self/exe", args);
            perror("execv");
            return 20;
        }
    }
    if (stale_decoy) {
        struct sockaddr_in any;
        int p = open_socket(AF_INET, port), decoy;
        close_range((unsigned)p, (unsigned)p, 0);
        decoy = socket(AF_INET, SOCK_STREAM, 0);
        if (decoy != p) { fprintf(stderr, "decoy got fd %d, not %d\n", decoy, p); return 16; }
        memset(&any, 0, sizeof(any));
        any.sin_family = AF_INET;
        if (bind(decoy, (struct sockaddr *)&any, sizeof(any)) != 0 || listen(decoy, 16) != 0) { perror("decoy"); return 16; }
        fds[count] = decoy; names[count++] = "decoy";
    }
    if (strcmp(argv[2], "6")) { fds[count] = open_socket(AF_INET, port); names[count++] = "4"; }
    if (strcmp(argv[2], "4")) { fds[count] = open_socket(AF_INET6, port); names[count++] = "6"; }
    if (check_environ) {
        int changed = environ != saved_environ;
        for (i = 0; i < environ_count && !changed; i++) changed = environ[i] != saved_entries[i];
        if (changed || environ[environ_count] != NULL) { fprintf(stderr, "bind() changed the environment\n"); return 17; }
    }
    for (i = 0; i < count; i++) {
        char address[64];
        if (expect_port >= 0 && strcmp(names[i], "decoy") && local_port(fds[i], address, sizeof(address)) != expect_port) {
            fprintf(stderr, "bound to %s:%d, not port %d\n", address, local_port(fds[i], address, sizeof(address)), expect_port);
            return 18;
        }
        if (dup_listen) {
            int copy = dup3(fds[i], fds[i] + 64, O_CLOEXEC);
            if (copy < 0) { perror("dup3"); return 21; }
            close(fds[i]);
            fds[i] = copy;
        }
    }
    if (open_files > 0) snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra), " fd=%d", fds[count - 1]);
    if (listen_delay > 0) usleep((useconds_t)listen_delay * 1000);
    for (i = 0; i < count; i++) if (listen(fds[i], 16) != 0) { perror("listen"); return 14; }
    while (exit_after < 0 || served < exit_after) {
        struct pollfd p[3];
        for (i = 0; i < count; i++) { p[i].fd = fds[i]; p[i].events = POLLIN; }
        if (poll(p, (nfds_t)count, -1) < 0) continue;
        for (i = 0; i < count; i++) {
            if (p[i].revents & POLLIN) {
                int client = accept(fds[i], NULL, NULL);
                if (client < 0) continue;
                serve(client, names[i]);
                close(client);
                served++;
            }
        }
    }
    return exit_status;
}
