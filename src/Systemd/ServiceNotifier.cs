using System.Globalization;
using System.Net.Sockets;

namespace Websockify.Systemd;

/// <summary>
/// Sends sd_notify messages to NOTIFY_SOCKET (a path, or an abstract name written with a leading @).
/// Written here rather than taken from a package: Tmds.Systemd is not in our package source, and
/// Microsoft.Extensions.Hosting.Systemd sends nothing unless its parent is called "systemd".
/// A notifier without a socket does nothing, so callers need no checks.
/// </summary>
internal sealed class ServiceNotifier : IDisposable
{
    private readonly Socket? _socket;
    private readonly UnixDomainSocketEndPoint? _endpoint;
    private readonly Lock _lock = new();

    private ServiceNotifier(string? path)
    {
        if (string.IsNullOrEmpty(path) || (path[0] != '/' && path[0] != '@'))
        {
            return;
        }

        // "@name" is the abstract namespace: the address starts with a NUL byte.
        _endpoint = new UnixDomainSocketEndPoint(path[0] == '@' ? "\0" + path[1..] : path);
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    }

    public bool Enabled => _socket is not null;

    /// <summary>Reads and removes NOTIFY_SOCKET, so that children do not notify on our behalf.</summary>
    public static ServiceNotifier FromEnvironment()
    {
        var path = Environment.GetEnvironmentVariable("NOTIFY_SOCKET");
        Environment.SetEnvironmentVariable("NOTIFY_SOCKET", null);
        return new ServiceNotifier(path);
    }

    /// <summary>Sends one message; failures are ignored (the service manager may be gone).</summary>
    public void Send(string message)
    {
        if (_socket is null)
        {
            return;
        }

        lock (_lock)
        {
            try
            {
                _socket.SendTo(NotifyMessages.Encode(message), SocketFlags.None, _endpoint!);
            }
            catch (SocketException)
            {
            }
        }
    }

    public void Dispose() => _socket?.Dispose();

    /// <summary>WATCHDOG_USEC when WATCHDOG_PID is absent or ours; the variables are removed either way.</summary>
    public static TimeSpan? TakeWatchdogInterval()
    {
        var usec = Environment.GetEnvironmentVariable("WATCHDOG_USEC");
        var pid = Environment.GetEnvironmentVariable("WATCHDOG_PID");
        Environment.SetEnvironmentVariable("WATCHDOG_USEC", null);
        Environment.SetEnvironmentVariable("WATCHDOG_PID", null);
        return ParseWatchdog(Environment.ProcessId, usec, pid);
    }

    public static TimeSpan? ParseWatchdog(int ourPid, string? usec, string? pid)
    {
        if (!long.TryParse(usec, NumberStyles.None, CultureInfo.InvariantCulture, out var microseconds) || microseconds <= 0)
        {
            return null;
        }

        if (pid is not null && (!int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var watched) || watched != ourPid))
        {
            return null;
        }

        return TimeSpan.FromMicroseconds(microseconds);
    }
}
