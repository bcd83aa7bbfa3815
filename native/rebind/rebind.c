/*
 * rebind.so: moves a wrapped program's bind() of one TCP port to a loopback port, so that
 * websockify can listen on that port itself and proxy WebSocket sessions to the program.
 *
 * Loaded with LD_PRELOAD by `websockify PORT -- PROGRAM ARGS`. Environment:
 *   REBIND_OLD_PORT       the port the program asks for (websockify's listen port)
 *   REBIND_NEW_PORT       the loopback port to use instead; 0 or unset: let the kernel pick one
 *   REBIND_REPORT_SOCKET  optional path of a Unix datagram socket; when a moved socket starts
 *                         listening, "<family> <port>\n" (family 4 or 6) is sent there
 *
 * Only a bind to REBIND_OLD_PORT moves, for AF_INET and AF_INET6 alike, to the same family's
 * loopback address. The first move fixes the new port for the whole process tree: it is written
 * back into REBIND_NEW_PORT, so a second bind (the other family, a forked or re-executed child)
 * gets the same port. Reporting at listen() rather than at bind() skips sockets that are bound
 * only to probe whether the port is free (tigervnc's vncserver does that) and tells the daemon
 * the program is ready to accept.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

typedef int (*bind_fn)(int, const struct sockaddr *, socklen_t);
typedef int (*listen_fn)(int, int);

#define MAX_TRACKED_FD 4096

/* Which fds this process moved, and to which family: 0 none, 4 or 6. */
static unsigned char moved_family[MAX_TRACKED_FD];

static long port_from_env(const char *name)
{
    const char *value = getenv(name);
    char *end;
    long port;
    if (value == NULL || *value == '\0')
        return -1;
    errno = 0;
    port = strtol(value, &end, 10);
    if (errno != 0 || *end != '\0' || port < 0 || port > 65535)
        return -1;
    return port;
}

static int bound_port(int fd)
{
    struct sockaddr_storage local;
    socklen_t length = sizeof(local);
    if (getsockname(fd, (struct sockaddr *)&local, &length) != 0)
        return -1;
    if (local.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&local)->sin_port);
    if (local.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&local)->sin6_port);
    return -1;
}

int bind(int fd, const struct sockaddr *addr, socklen_t addrlen)
{
    static bind_fn real_bind;
    long old_port, new_port;
    int result, family;

    if (real_bind == NULL)
        real_bind = (bind_fn)dlsym(RTLD_NEXT, "bind");
    if (real_bind == NULL) {
        errno = ENOSYS;
        return -1;
    }

    old_port = port_from_env("REBIND_OLD_PORT");
    if (addr == NULL || old_port <= 0)
        return real_bind(fd, addr, addrlen);

    new_port = port_from_env("REBIND_NEW_PORT");
    if (new_port < 0)
        new_port = 0;

    if (addr->sa_family == AF_INET && addrlen >= sizeof(struct sockaddr_in)
        && ntohs(((const struct sockaddr_in *)addr)->sin_port) == old_port) {
        struct sockaddr_in moved;
        memcpy(&moved, addr, sizeof(moved));
        moved.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        moved.sin_port = htons((unsigned short)new_port);
        result = real_bind(fd, (struct sockaddr *)&moved, sizeof(moved));
        family = 4;
    } else if (addr->sa_family == AF_INET6 && addrlen >= sizeof(struct sockaddr_in6)
               && ntohs(((const struct sockaddr_in6 *)addr)->sin6_port) == old_port) {
        struct sockaddr_in6 moved;
        memcpy(&moved, addr, sizeof(moved));
        moved.sin6_addr = in6addr_loopback;
        moved.sin6_port = htons((unsigned short)new_port);
        result = real_bind(fd, (struct sockaddr *)&moved, sizeof(moved));
        family = 6;
    } else {
        return real_bind(fd, addr, addrlen);
    }

    if (result == 0) {
        if (fd >= 0 && fd < MAX_TRACKED_FD)
            moved_family[fd] = (unsigned char)family;
        if (new_port == 0) {
            int chosen = bound_port(fd);
            if (chosen > 0) {
                char text[16];
                snprintf(text, sizeof(text), "%d", chosen);
                setenv("REBIND_NEW_PORT", text, 1);
            }
        }
    }
    return result;
}

static void report(int fd, int family)
{
    const char *path = getenv("REBIND_REPORT_SOCKET");
    struct sockaddr_un target;
    char message[32];
    int port, sock, length, saved = errno;

    if (path == NULL || *path == '\0' || strlen(path) >= sizeof(target.sun_path))
        return;
    port = bound_port(fd);
    if (port <= 0)
        return;
    sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0)
        return;
    memset(&target, 0, sizeof(target));
    target.sun_family = AF_UNIX;
    strcpy(target.sun_path, path);
    length = snprintf(message, sizeof(message), "%d %d\n", family, port);
    (void)sendto(sock, message, (size_t)length, MSG_DONTWAIT, (struct sockaddr *)&target, sizeof(target));
    close(sock);
    errno = saved;
}

int listen(int fd, int backlog)
{
    static listen_fn real_listen;
    int result;

    if (real_listen == NULL)
        real_listen = (listen_fn)dlsym(RTLD_NEXT, "listen");
    if (real_listen == NULL) {
        errno = ENOSYS;
        return -1;
    }
    result = real_listen(fd, backlog);
    if (result == 0 && fd >= 0 && fd < MAX_TRACKED_FD && moved_family[fd] != 0)
        report(fd, moved_family[fd]);
    return result;
}

/* A closed fd number may be reused for an unrelated socket. */
int close(int fd)
{
    static int (*real_close)(int);
    if (real_close == NULL)
        real_close = (int (*)(int))dlsym(RTLD_NEXT, "close");
    if (fd >= 0 && fd < MAX_TRACKED_FD)
        moved_family[fd] = 0;
    return real_close != NULL ? real_close(fd) : (errno = ENOSYS, -1);
}
