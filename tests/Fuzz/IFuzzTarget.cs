namespace Websockify.Fuzz;

/// <summary>
/// One parser under fuzzing. <see cref="Run"/> returns normally for every input the parser accepts or
/// refuses in its documented way; anything that escapes it (an unexpected exception, a broken
/// invariant, a read that would block forever) is a finding.
/// </summary>
public interface IFuzzTarget
{
    /// <summary>The name on the command line and the corpus directory's name.</summary>
    string Name { get; }

    void Run(ReadOnlySpan<byte> input);
}
