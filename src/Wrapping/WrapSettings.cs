namespace Websockify.Wrapping;

/// <summary>The program to wrap and how to supervise it.</summary>
internal sealed record WrapSettings(IReadOnlyList<string> Command, WrapMode Mode, string? RebindLibrary)
{
    /// <summary>Upstream's form in the banner and logs: 'prog arg1 arg2'.</summary>
    public string Description => $"'{string.Join(' ', Command)}'";
}
