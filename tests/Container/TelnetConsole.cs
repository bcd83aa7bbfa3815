using System.Text;
using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Container;

/// <summary>
/// Just enough of a telnet client over a WebSocket session to log in: every option the server asks for
/// is refused (WONT/DONT), subnegotiations are skipped, the rest is text.
/// </summary>
internal sealed class TelnetConsole(RawWebSocketClient session)
{
    private const byte Iac = 255, Dont = 254, Do = 253, Wont = 252, Will = 251, Sb = 250, Se = 240;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly StringBuilder _text = new();
    private int _seen;
    private int _state; // 0 text, 1 after IAC, 2 option byte of DO/DONT/WILL/WONT, 3 in SB, 4 IAC in SB
    private byte _verb;

    public Task SendLineAsync(string line) => session.SendAsync(RawFrame.Build(RawFrame.Binary, Encoding.ASCII.GetBytes(line + "\r\n")));

    /// <summary>Reads until <paramref name="marker"/> appears after what earlier waits consumed.</summary>
    public async Task WaitForAsync(string marker)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (true)
        {
            var at = _text.ToString().IndexOf(marker, _seen, StringComparison.Ordinal);
            if (at >= 0)
            {
                _seen = at + marker.Length;
                return;
            }

            var left = deadline - DateTime.UtcNow;
            Assert.True(left > TimeSpan.Zero, $"no \"{marker}\" from the console; it said:\n{_text}");
            WireFrame? frame;
            try
            {
                frame = await session.ReadFrameAsync(left);
            }
            catch (OperationCanceledException)
            {
                frame = null;
                Assert.Fail($"no \"{marker}\" from the console within {Bound.TotalSeconds} s; it said:\n{_text}");
            }


            Assert.True(frame is { Opcode: RawFrame.Binary }, $"expected data waiting for \"{marker}\", got {frame?.Opcode} {frame?.CloseCode}; the console said:\n{_text}");
            await TakeAsync(frame!.Payload);
        }
    }

    private async Task TakeAsync(byte[] bytes)
    {
        var answer = new List<byte>();
        foreach (var b in bytes)
        {
            switch (_state)
            {
                case 0 when b == Iac: _state = 1; break;
                case 0: _text.Append((char)b); break;
                case 1 when b is Do or Dont or Will or Wont: _verb = b; _state = 2; break;
                case 1 when b == Sb: _state = 3; break;
                case 1: _state = 0; break;
                case 2:
                    if (_verb == Do) answer.AddRange([Iac, Wont, b]);
                    else if (_verb == Will) answer.AddRange([Iac, Dont, b]);
                    _state = 0;
                    break;
                case 3 when b == Iac: _state = 4; break;
                case 3: break;
                case 4: _state = b == Se ? 0 : 3; break;
            }
        }

        if (answer.Count > 0)
        {
            await session.SendAsync(RawFrame.Build(RawFrame.Binary, [.. answer]));
        }
    }
}
