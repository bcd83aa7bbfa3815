namespace Websockify.Hosting;

/// <summary>
/// Runtime switches measured with ../shared/bench on a 2-core machine (bench/RESULTS.md). Socket
/// continuations run inline on the epoll thread instead of hopping to the thread pool: no session code
/// blocks (relay, handshake and logging are short, non-blocking steps), and it raised 200-connection
/// throughput about 1.7x at lower CPU per byte. Must run before the first socket is created.
/// </summary>
internal static class RuntimeTuning
{
    private const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static void Apply()
    {
        // An explicit setting in the environment wins, so the effect can always be compared.
        if (Environment.GetEnvironmentVariable(InlineCompletions) is null)
        {
            Environment.SetEnvironmentVariable(InlineCompletions, "1");
        }
    }
}
