using System.Text;
using System.Text.Json;
using CliWrap;
using CliWrap.Buffered;
using Websockify.Recording;

namespace Websockify.Tests.Unit.Recording;

/// <summary>The escaping of recorded bytes against Python's own <c>unicode_escape</c> and upstream's <c>\'</c> rule, computed by python3.</summary>
public sealed class RecordEscaperTests
{
    /// <summary>Upstream's expression (websockifyserver.py), run on each byte alone and on the given bytes, printed as JSON.</summary>
    private static async Task<string[]> PythonEscapesAsync(string bytesExpression)
    {
        const string Escape = "lambda b: b.decode('latin1').encode('unicode_escape').decode('ascii').replace(\"'\", \"\\\\'\")";
        var script = $"import json, sys\nesc = {Escape}\ndata = {bytesExpression}\n" +
                     "print(json.dumps([esc(bytes([b])) for b in range(256)] + [esc(data)]))";
        var result = await CliWrap.Cli.Wrap("python3").WithArguments(["-c", script]).WithValidation(CommandResultValidation.ZeroExitCode).ExecuteBufferedAsync();
        return JsonSerializer.Deserialize<string[]>(result.StandardOutput)!;
    }

    private static string Escape(ReadOnlySpan<byte> input)
    {
        var output = new byte[input.Length * RecordEscaper.MaxExpansion];
        return Encoding.ASCII.GetString(output, 0, RecordEscaper.Escape(input, output));
    }

    [Fact]
    public async Task Every_byte_value_alone_and_all_of_them_in_a_row_escape_exactly_as_upstream_does()
    {
        var expected = await PythonEscapesAsync("bytes(range(256)) + b\"'\\\\'x\\\\\\\\y\" + bytes(range(255, -1, -1))");
        Assert.Equal(257, expected.Length);
        for (var b = 0; b < 256; b++)
        {
            Assert.True(expected[b] == Escape([(byte)b]), $"byte 0x{b:x2}: python {expected[b]}, ours {Escape([(byte)b])}");
        }

        var all = Enumerable.Range(0, 256).Select(b => (byte)b).Concat("'\\'x\\\\y"u8.ToArray()).Concat(Enumerable.Range(0, 256).Reverse().Select(b => (byte)b)).ToArray();
        Assert.Equal(expected[256], Escape(all));
    }

    [Fact]
    public void The_output_never_grows_beyond_four_bytes_per_input_byte()
    {
        var worst = Enumerable.Repeat((byte)0x80, 1000).ToArray();
        Assert.Equal(4000, RecordEscaper.Escape(worst, new byte[4000]));
    }
}
