namespace Websockify.Recording;

/// <summary><c>--record FILE</c>: each session goes to <c>FILE.N</c>, N being the connection's id (the <c>#N</c> of its log lines).</summary>
/// <param name="BasePath">FILE made absolute at start-up, as upstream does.</param>
internal sealed record RecordSettings(string BasePath)
{
    public string PathFor(long connectionId) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{BasePath}.{connectionId}");
}
