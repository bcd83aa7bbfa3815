using System.Globalization;
using System.Text;

namespace Websockify.Systemd;

/// <summary>The sd_notify(3) datagrams the daemon sends: newline-separated VAR=value assignments.</summary>
internal static class NotifyMessages
{
    public const string Ready = "READY=1";
    public const string Stopping = "STOPPING=1";
    public const string Watchdog = "WATCHDOG=1";

    public static string Status(string text) => "STATUS=" + text.ReplaceLineEndings(" ");

    public static string MainPid(int pid) => "MAINPID=" + pid.ToString(CultureInfo.InvariantCulture);

    /// <summary>Type=notify-reload wants the CLOCK_MONOTONIC time with RELOADING=1.</summary>
    public static string Reloading(long monotonicMicroseconds) =>
        "RELOADING=1\nMONOTONIC_USEC=" + monotonicMicroseconds.ToString(CultureInfo.InvariantCulture);

    public static string Join(params string[] assignments) => string.Join('\n', assignments);

    public static byte[] Encode(string message) => Encoding.UTF8.GetBytes(message);

    /// <summary>A status line for `systemctl status`: live sessions and where they go.</summary>
    public static string SessionStatus(int sessions, string target) =>
        Status($"{sessions} session{(sessions == 1 ? "" : "s")}; proxying to {target}");
}
