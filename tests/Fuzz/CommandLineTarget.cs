using System.Text;
using Websockify.Cli;

namespace Websockify.Fuzz;

/// <summary>
/// argv, NUL-separated, through the daemon's command line: <see cref="ArgumentTokenizer"/> then
/// <see cref="OptionsBuilder"/>, with a fixed working directory and no file existing (nothing on this
/// machine is read). A usage error (<see cref="CliUsageException"/>, exit 2) and a not-yet-supported
/// option (<see cref="CliNotSupportedException"/>) are the documented refusals; --help and --version
/// print and exit before the builder, so they stop here too.
/// </summary>
public sealed class CommandLineTarget : IFuzzTarget
{
    public string Name => "cli";

    public void Run(ReadOnlySpan<byte> input)
    {
        var argv = Encoding.UTF8.GetString(input).Split('\0');
        try
        {
            var parsed = ArgumentTokenizer.Tokenize(argv);
            if (parsed.Has("help") || parsed.Has("version"))
            {
                return;
            }

            _ = OptionsBuilder.Build(parsed, "/fuzz/cwd", fileExists: _ => false);
        }
        catch (CliUsageException)
        {
        }
        catch (CliNotSupportedException)
        {
        }
    }
}
