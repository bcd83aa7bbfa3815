using System.Text;
using CliWrap;
using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Integration;

/// <summary>
/// Wrapping the real programs users wrap, from Debian's packages (installed by tests/run-all.sh):
/// tigervnc's vncserver, which daemonizes, and inetutils' telnetd behind a one-shot socat.
/// </summary>
public sealed class RealProgramTests
{
    private static async Task<byte[]> FirstMessageAsync(int port)
    {
        await using var client = await RawWebSocketClient.ConnectAsync(port);
        Assert.Equal(101, client.StatusCode);
        var frame = await client.ReadFrameAsync(TimeSpan.FromSeconds(20));
        Assert.True(frame is { Opcode: RawFrame.Binary }, $"expected data, got {frame?.Opcode} {frame?.CloseCode} {frame?.CloseReason}");
        await client.SendAsync(RawFrame.CloseFrame(1000));
        return frame!.Payload;
    }

    /// <summary>A display number whose X lock and VNC port are both free.</summary>
    private static int FreeDisplay()
    {
        for (var display = 40 + Random.Shared.Next(40); display < 99; display++)
        {
            if (!File.Exists($"/tmp/.X{display}-lock") && !File.Exists($"/tmp/.X11-unix/X{display}"))
            {
                using var probe = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                try
                {
                    probe.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 5900 + display));
                    return display;
                }
                catch (System.Net.Sockets.SocketException)
                {
                }
            }
        }

        throw new InvalidOperationException("no free X display");
    }

    [Fact]
    public async Task Vncserver_in_ignore_mode_greets_with_rfb_through_the_websocket()
    {
        var display = FreeDisplay();
        var port = 5900 + display;
        var home = Directory.CreateTempSubdirectory("websockify-vnc-home-").FullName;
        try
        {
            await using (var daemon = await DaemonProcess.StartAsync(
                ["--wrap-mode=ignore", $"127.0.0.1:{port}", "--", "vncserver", $":{display}", "-SecurityTypes", "None", "-localhost", "yes",
                    "-geometry", "640x480", "--I-KNOW-THIS-IS-INSECURE"],
                new Dictionary<string, string> { ["HOME"] = home }))
            {
                Assert.Equal("RFB 003.008\n", Encoding.ASCII.GetString(await FirstMessageAsync(port)));

                // vncserver itself has exited (it daemonized); the daemon keeps serving the Xtigervnc it left.
                await daemon.WaitForLineAsync(l => l.Contains("exited with status 0", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
                Assert.Equal("RFB 003.008\n", Encoding.ASCII.GetString(await FirstMessageAsync(port)));
            }

            // Stopping the daemon stopped Xtigervnc too, although it runs in a session of its own.
            Assert.False(File.Exists($"/tmp/.X{display}-lock") && IsXServerAlive(display), "Xtigervnc outlived the daemon");
        }
        finally
        {
            await Cli.Wrap("vncserver").WithArguments(["-kill", $":{display}"]).WithEnvironmentVariables(e => e.Set("HOME", home))
                .WithValidation(CommandResultValidation.None).WithStandardErrorPipe(PipeTarget.Null).ExecuteAsync();
            Directory.Delete(home, recursive: true);
        }
    }

    [Fact]
    public async Task Telnetd_in_respawn_mode_negotiates_twice_in_a_row()
    {
        var port = TcpTarget.UnusedPort();
        await using var daemon = await DaemonProcess.StartAsync(
            ["--wrap-mode=respawn", $"127.0.0.1:{port}", "--", "socat", $"TCP-LISTEN:{port},reuseaddr", "EXEC:/usr/sbin/telnetd -h -E /bin/cat"]);

        for (var session = 0; session < 2; session++)
        {
            var bytes = await FirstMessageAsync(port);
            Assert.True(bytes.Length >= 3 && bytes[0] == 0xFF && bytes[1] is >= 0xFB and <= 0xFE,
                $"session {session}: expected telnet negotiation (IAC WILL/WONT/DO/DONT), got {Convert.ToHexString(bytes)}");
            if (session == 0)
            {
                await daemon.WaitForLineAsync(l => l.Contains("Respawning", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
            }
        }
    }

    private static bool IsXServerAlive(int display)
    {
        var pidText = File.ReadAllText($"/tmp/.X{display}-lock").Trim();
        return int.TryParse(pidText, out var pid) && Directory.Exists($"/proc/{pid}");
    }
}
