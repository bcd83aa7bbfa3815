namespace Websockify.Tests.Fuzz;

/// <summary>
/// One instrumented build for all the afl runs of a test run, made by tests/Fuzz/prepare.sh into a
/// directory of its own (a concurrent <c>make fuzz</c> keeps its build/fuzz).
/// </summary>
public sealed class InstrumentedBuild : IDisposable
{
    public InstrumentedBuild()
    {
        Scratch = Directory.CreateTempSubdirectory("websockify-fuzz-").FullName;
        var (status, text) = Script.Run("tests/Fuzz/prepare.sh", [Path.Combine(Scratch, "app")], TimeSpan.FromMinutes(3));
        if (status != 0)
        {
            throw new InvalidOperationException($"prepare.sh failed ({status}):\n{text}");
        }

        App = Path.Combine(Scratch, "app");
        PrepareTime = Script.LastElapsed;
    }

    public string Scratch { get; }

    public string App { get; }

    public TimeSpan PrepareTime { get; }

    public void Dispose() => Directory.Delete(Scratch, recursive: true);
}
