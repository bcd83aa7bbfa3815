using System.Diagnostics;

namespace Websockify.Platform;

/// <summary>
/// Starts a command as the leader of a new session and process group (util-linux <c>setsid</c>; .NET
/// cannot fork), so that it and everything it forks can be signalled as one and it has no terminal.
/// </summary>
internal static class SessionLeader
{
    public static ProcessStartInfo StartInfo(IEnumerable<string> command)
    {
        var psi = new ProcessStartInfo("setsid") { UseShellExecute = false };
        psi.ArgumentList.Add("--");
        foreach (var arg in command)
        {
            psi.ArgumentList.Add(arg);
        }

        return psi;
    }

    public static Process Start(ProcessStartInfo startInfo) =>
        Process.Start(startInfo) ?? throw new InvalidOperationException("setsid did not start");
}
