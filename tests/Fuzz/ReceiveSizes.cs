namespace Websockify.Fuzz;

/// <summary>
/// The buffer sizes a target receives into, chosen by one fuzzer byte: 0 is the relay's 64 KiB every
/// time; otherwise sizes vary from read to read (from <c>minimum</c> up), and with the top bit set every
/// fourth call is the relay's idle wait (an empty buffer).
/// </summary>
internal sealed class ReceiveSizes(byte selector, int minimum)
{
    private const int RelayBufferSize = 64 * 1024;
    private int _calls;

    public int Next()
    {
        _calls++;
        if (selector == 0)
        {
            return RelayBufferSize;
        }

        if ((selector & 0x80) != 0 && _calls % 4 == 0)
        {
            return 0;
        }

        var step = selector & 0x7F;
        return minimum + (_calls * (step + 1) % (16 * (step + 1)));
    }
}
