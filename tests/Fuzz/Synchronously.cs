namespace Websockify.Fuzz;

/// <summary>
/// The targets' streams never block, so every await in the parser completes at once. One that does not
/// would wait forever on a real socket with nothing more to come: a hang, reported as such.
/// </summary>
internal static class Synchronously
{
    public static T Result<T>(ValueTask<T> task) =>
        task.IsCompleted ? task.GetAwaiter().GetResult() : throw new FuzzInvariantException("the parser waited for input that was already there (would hang)");
}
