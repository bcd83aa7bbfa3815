/*
 * A small TCP server for wrap-mode tests: binds PORT the way real daemons do and greets each client
 * with "hello <pid> <family>\n", then echoes. Usage:
 *   bindserver PORT 4|6|both [--fork] [--probe] [--exit-after N STATUS] [--listen-delay MS]
 * --fork:        the parent forks and exits 0 at once; the child binds and serves (a daemonizing program)
 * --probe:       first bind the port and close it again, as vncserver does to test that it is free
 * --exit-after:  exit with STATUS after serving N connections
 * --listen-delay: sleep between bind() and listen()
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int open_socket(int family, int port)
{
    int fd = socket(family, SOCK_STREAM, 0), one = 1;
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

static void serve(int client, const char *family)
{
    char buffer[4096];
    ssize_t n;
    int length = snprintf(buffer, sizeof(buffer), "hello %d %s\n", (int)getpid(), family);
    if (write(client, buffer, (size_t)length) != length) return;
    while ((n = read(client, buffer, sizeof(buffer))) > 0)
        if (write(client, buffer, (size_t)n) != n) break;
}

int main(int argc, char **argv)
{
    int port, fds[2], count = 0, served = 0, exit_after = -1, exit_status = 0, listen_delay = 0, i;
    int do_fork = 0, probe = 0;
    const char *names[2];
    if (argc < 3) { fprintf(stderr, "usage: bindserver PORT 4|6|both [options]\n"); return 2; }
    port = atoi(argv[1]);
    for (i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "--fork")) do_fork = 1;
        else if (!strcmp(argv[i], "--probe")) probe = 1;
        else if (!strcmp(argv[i], "--exit-after") && i + 2 < argc) { exit_after = atoi(argv[++i]); exit_status = atoi(argv[++i]); }
        else if (!strcmp(argv[i], "--listen-delay") && i + 1 < argc) listen_delay = atoi(argv[++i]);
    }
    if (do_fork) {
        pid_t child = fork();
        if (child < 0) { perror("fork"); return 13; }
        if (child > 0) return 0;
        setvbuf(stdout, NULL, _IONBF, 0);
    }
    if (probe) close(open_socket(strcmp(argv[2], "6") ? AF_INET : AF_INET6, port));
    if (strcmp(argv[2], "6")) { fds[count] = open_socket(AF_INET, port); names[count++] = "4"; }
    if (strcmp(argv[2], "4")) { fds[count] = open_socket(AF_INET6, port); names[count++] = "6"; }
    if (listen_delay > 0) usleep((useconds_t)listen_delay * 1000);
    for (i = 0; i < count; i++) if (listen(fds[i], 16) != 0) { perror("listen"); return 14; }
    while (exit_after < 0 || served < exit_after) {
        struct pollfd p[2];
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
