/*
 * rebind.so: moves a wrapped program's bind() of one TCP port to a loopback port, so that
 * websockify can listen on that port itself and proxy WebSocket sessions to the program.
 *
 * Loaded with LD_PRELOAD by `websockify PORT -- PROGRAM ARGS`. Environment:
 *   REBIND_OLD_PORT       the port the program asks for (websockify's listen port)
 *   REBIND_NEW_PORT       the loopback port to use instead; 0 or unset: let the kernel pick one
 *   REBIND_PORT_FILE      optional path of the file that carries the chosen port to the programs
 *                         the wrapped program executes; created by the first move
 *   REBIND_REPORT_SOCKET  optional path of a Unix datagram socket; when a moved socket starts
 *                         listening, "<family> <port>\n" (family 4 or 6) is sent there
 *
 * Only a TCP bind to REBIND_OLD_PORT moves, for AF_INET and AF_INET6 alike, to the same family's
 * loopback address; UDP and other protocols bound to that port are left alone (they cannot collide
 * with websockify's TCP listener, and must not fix the port for the TCP bind).
 *
 * The first move fixes the new port for the whole process tree. Within a process it is a variable
 * guarded by a mutex (threads binding at once get one port; forked children inherit it). Across
 * exec it travels in REBIND_PORT_FILE, a file in the daemon's private directory that the first move
 * creates atomically (written under a temporary name, then link()ed: the first process wins). Not in
 * the environment: setenv() from inside bind() can move environ under a getenv() in another thread,
 * and programs such as perl copy the environment at start-up, so a change made behind their back
 * never reaches what they execute.
 *
 * A socket is reported when listen() succeeds on it and it is bound to the loopback address at the
 * fixed port: asked of the socket itself, not of a table of fd numbers, so fds of any number,
 * dup2()/dup3() copies and sockets closed behind our back (close_range, closefrom) are all seen as
 * they are. Reporting at listen() rather than at bind() skips sockets that are bound only to probe
 * whether the port is free (tigervnc's vncserver does that) and tells the daemon the program is
 * ready to accept.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

typedef int (*bind_fn)(int, const struct sockaddr *, socklen_t);
typedef int (*listen_fn)(int, int);

static long old_port = -1;
/* 0 until the first move; written under move_lock, read with atomic loads. */
static int fixed_port;
static pthread_mutex_t move_lock = PTHREAD_MUTEX_INITIALIZER;
static char report_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static char port_file[4096];

static int parse_port(const char *text)
{
    char *end;
    long port;
    errno = 0;
    port = strtol(text, &end, 10);
    if (errno != 0 || end == text || (*end != '\0' && *end != '\n') || port <= 0 || port > 65535)
        return 0;
    return (int)port;
}

/* -1 when unset or not a port number. */
static long port_from_env(const char *name)
{
    const char *value = getenv(name);
    if (value == NULL || *value == '\0')
        return -1;
    if (strcmp(value, "0") == 0)
        return 0;
    return parse_port(value) > 0 ? parse_port(value) : -1;
}

/* A child forked while another thread moves a socket must not inherit a locked mutex. */
static void lock_moves(void) { pthread_mutex_lock(&move_lock); }
static void unlock_moves(void) { pthread_mutex_unlock(&move_lock); }

/* Runs when the library is loaded, before the program's main() and its threads. */
__attribute__((constructor)) static void rebind_init(void)
{
    const char *path = getenv("REBIND_REPORT_SOCKET"), *file = getenv("REBIND_PORT_FILE");
    long new_port = port_from_env("REBIND_NEW_PORT");

    old_port = port_from_env("REBIND_OLD_PORT");
    if (old_port <= 0)
        return;
    (void)pthread_atfork(lock_moves, unlock_moves, unlock_moves);
    if (path != NULL && strlen(path) < sizeof(report_path))
        strcpy(report_path, path);
    if (file != NULL && strlen(file) + 16 < sizeof(port_file))
        strcpy(port_file, file);
    if (new_port > 0)
        fixed_port = (int)new_port;
}

/* The port an earlier move in the process tree fixed, from REBIND_PORT_FILE; 0 when none did. */
static int read_port_file(void)
{
    char text[16];
    ssize_t length;
    int fd;
    if (port_file[0] == '\0')
        return 0;
    fd = open(port_file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return 0;
    length = read(fd, text, sizeof(text) - 1);
    close(fd);
    if (length <= 0)
        return 0;
    text[length] = '\0';
    return parse_port(text);
}

/*
 * Publishes the port this process chose; returns the port that holds for the tree: ours, or the one a
 * process that got there first published (then this socket keeps its own port and is not reported).
 */
static int publish_port(int port)
{
    char temporary[sizeof(port_file) + 16], text[16];
    int fd, length, winner;
    if (port_file[0] == '\0')
        return port;
    snprintf(temporary, sizeof(temporary), "%s.%d", port_file, (int)getpid());
    (void)unlink(temporary);
    fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return port;
    length = snprintf(text, sizeof(text), "%d\n", port);
    if (write(fd, text, (size_t)length) != length) {
        close(fd);
        (void)unlink(temporary);
        return port;
    }
    close(fd);
    if (link(temporary, port_file) != 0 && errno == EEXIST && (winner = read_port_file()) > 0)
        port = winner;
    (void)unlink(temporary);
    return port;
}

static int requested_port(const struct sockaddr *addr, socklen_t addrlen)
{
    if (addr->sa_family == AF_INET && addrlen >= sizeof(struct sockaddr_in))
        return ntohs(((const struct sockaddr_in *)addr)->sin_port);
    if (addr->sa_family == AF_INET6 && addrlen >= sizeof(struct sockaddr_in6))
        return ntohs(((const struct sockaddr_in6 *)addr)->sin6_port);
    return -1;
}

static int is_tcp(int fd)
{
    int type = 0, protocol = 0;
    socklen_t length = sizeof(type);
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) != 0 || type != SOCK_STREAM)
        return 0;
    length = sizeof(protocol);
    return getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &length) == 0 && protocol == IPPROTO_TCP;
}

/* The port a socket is bound to, and through family_out (4 or 6) whether it is bound to loopback. */
static int bound_port(int fd, int *loopback_family_out)
{
    struct sockaddr_storage local;
    socklen_t length = sizeof(local);
    *loopback_family_out = 0;
    if (getsockname(fd, (struct sockaddr *)&local, &length) != 0)
        return -1;
    if (local.ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)&local;
        if (in->sin_addr.s_addr == htonl(INADDR_LOOPBACK))
            *loopback_family_out = 4;
        return ntohs(in->sin_port);
    }
    if (local.ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&local;
        if (memcmp(&in6->sin6_addr, &in6addr_loopback, sizeof(in6addr_loopback)) == 0)
            *loopback_family_out = 6;
        return ntohs(in6->sin6_port);
    }
    return -1;
}

static int bind_loopback(bind_fn real_bind, int fd, const struct sockaddr *addr, int port)
{
    if (addr->sa_family == AF_INET) {
        struct sockaddr_in moved;
        memcpy(&moved, addr, sizeof(moved));
        moved.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        moved.sin_port = htons((unsigned short)port);
        return real_bind(fd, (struct sockaddr *)&moved, sizeof(moved));
    }
    struct sockaddr_in6 moved6;
    memcpy(&moved6, addr, sizeof(moved6));
    moved6.sin6_addr = in6addr_loopback;
    moved6.sin6_port = htons((unsigned short)port);
    return real_bind(fd, (struct sockaddr *)&moved6, sizeof(moved6));
}

int bind(int fd, const struct sockaddr *addr, socklen_t addrlen)
{
    static bind_fn real_bind;
    int result, saved, family;

    if (real_bind == NULL)
        real_bind = (bind_fn)dlsym(RTLD_NEXT, "bind");
    if (real_bind == NULL) {
        errno = ENOSYS;
        return -1;
    }

    if (addr == NULL || old_port <= 0 || requested_port(addr, addrlen) != old_port || !is_tcp(fd))
        return real_bind(fd, addr, addrlen);

    pthread_mutex_lock(&move_lock);
    if (fixed_port == 0)
        __atomic_store_n(&fixed_port, read_port_file(), __ATOMIC_RELEASE);
    result = bind_loopback(real_bind, fd, addr, fixed_port);
    saved = errno;
    if (result == 0 && fixed_port == 0) {
        int chosen = bound_port(fd, &family);
        if (chosen > 0)
            __atomic_store_n(&fixed_port, publish_port(chosen), __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&move_lock);
    errno = saved;
    return result;
}

static void report(int family, int port)
{
    struct sockaddr_un target;
    char message[32];
    int sock, length, saved = errno;

    if (report_path[0] == '\0')
        return;
    sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0)
        return;
    memset(&target, 0, sizeof(target));
    target.sun_family = AF_UNIX;
    strcpy(target.sun_path, report_path);
    length = snprintf(message, sizeof(message), "%d %d\n", family, port);
    (void)sendto(sock, message, (size_t)length, MSG_DONTWAIT, (struct sockaddr *)&target, sizeof(target));
    close(sock);
    errno = saved;
}

int listen(int fd, int backlog)
{
    static listen_fn real_listen;
    int result, port, family, fixed;

    if (real_listen == NULL)
        real_listen = (listen_fn)dlsym(RTLD_NEXT, "listen");
    if (real_listen == NULL) {
        errno = ENOSYS;
        return -1;
    }
    result = real_listen(fd, backlog);
    if (result != 0)
        return result;
    fixed = __atomic_load_n(&fixed_port, __ATOMIC_ACQUIRE);
    if (fixed == 0)
        fixed = read_port_file(); /* a socket bound before exec, listened on after it */
    if (fixed > 0) {
        int saved = errno;
        port = bound_port(fd, &family);
        if (family != 0 && port == fixed && is_tcp(fd))
            report(family, port);
        errno = saved;
    }
    return 0;
}
