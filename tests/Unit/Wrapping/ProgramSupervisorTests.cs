using Microsoft.Extensions.Logging.Abstractions;
using NSubstitute;
using Websockify.Wrapping;

namespace Websockify.Tests.Unit.Wrapping;

/// <summary>Supervision policy against a substituted process seam; the real processes are in the integration tests.</summary>
public sealed class ProgramSupervisorTests
{
    private readonly IProgramLauncher _launcher = Substitute.For<IProgramLauncher>();
    private readonly List<TimeSpan> _delays = [];

    private static IRunningProgram Program(Task<int> exited, int pid = 42)
    {
        var program = Substitute.For<IRunningProgram>();
        program.Pid.Returns(pid);
        program.Exited.Returns(exited);
        return program;
    }

    private ProgramSupervisor Supervisor(WrapMode mode) =>
        new(_launcher, mode, "'prog'", NullLogger.Instance, (delay, _) =>
        {
            _delays.Add(delay);
            return Task.CompletedTask;
        }, stopGrace: TimeSpan.FromMilliseconds(200));

    [Fact]
    public async Task Exit_mode_returns_the_programs_status()
    {
        var program = Program(Task.FromResult(3));
        _launcher.Start().Returns(program);

        Assert.Equal(3, await Supervisor(WrapMode.Exit).RunAsync(CancellationToken.None));
        program.Received().SignalGroup(15); // whatever it left in its group goes too
    }

    [Fact]
    public async Task Respawn_mode_restarts_with_growing_delays_until_stopped()
    {
        using var stop = new CancellationTokenSource();
        var last = new TaskCompletionSource<int>();
        IRunningProgram[] runs = [Program(Task.FromResult(1)), Program(Task.FromResult(1)), Program(Task.FromResult(1)), Program(last.Task, pid: 7)];
        _launcher.Start().Returns(runs[0], runs[1..]);
        var supervisor = Supervisor(WrapMode.Respawn);
        var starts = 0;
        supervisor.Starting += () => starts++;

        var running = supervisor.RunAsync(stop.Token);
        while (starts < 4)
        {
            await Task.Delay(10);
        }

        await stop.CancelAsync();
        Assert.Null(await running.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)], _delays);
    }

    [Fact]
    public async Task Stopping_the_daemon_terminates_the_process_group_then_kills_it()
    {
        using var stop = new CancellationTokenSource();
        var program = Program(new TaskCompletionSource<int>().Task); // ignores SIGTERM: never exits
        program.GroupAlive().Returns(true);
        _launcher.Start().Returns(program);

        var running = Supervisor(WrapMode.Exit).RunAsync(stop.Token);
        await stop.CancelAsync();

        Assert.Null(await running.WaitAsync(TimeSpan.FromSeconds(30)));
        Received.InOrder(() =>
        {
            program.SignalGroup(15);
            program.SignalGroup(9);
        });
    }

    [Fact]
    public async Task Ignore_mode_keeps_serving_and_stops_leftovers_at_shutdown()
    {
        using var stop = new CancellationTokenSource();
        var program = Program(Task.FromResult(0));
        _launcher.Start().Returns(program);

        var running = Supervisor(WrapMode.Ignore).RunAsync(stop.Token);
        await Task.Delay(100);
        Assert.False(running.IsCompleted);
        program.DidNotReceive().SignalGroup(Arg.Any<int>());

        await stop.CancelAsync();
        Assert.Null(await running.WaitAsync(TimeSpan.FromSeconds(10)));
        program.Received().SignalGroup(15);
        _launcher.Received(1).Start();
    }

    [Theory]
    [InlineData("4 5901\n", "127.0.0.1", 5901)]
    [InlineData("6 40000", "::1", 40000)]
    public void Port_reports_name_the_loopback_address_of_their_family(string message, string host, int port)
    {
        var endpoint = PortReports.Parse(message);
        Assert.Equal(host, endpoint!.Host);
        Assert.Equal(port, endpoint.Port);
    }

    [Theory]
    [InlineData("5 5901")]
    [InlineData("4 0")]
    [InlineData("4 70000")]
    [InlineData("garbage")]
    public void Malformed_port_reports_are_ignored(string message) => Assert.Null(PortReports.Parse(message));
}
