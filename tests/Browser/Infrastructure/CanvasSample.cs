namespace Websockify.Tests.Browser.Infrastructure;

/// <summary>What noVNC's canvas showed: its size, the colour at its centre and corners, and how many pixels differ from the centre.</summary>
internal sealed record CanvasSample(int Width, int Height, string Centre, IReadOnlyList<string> Corners, int Differing)
{
    /// <summary>True when every pixel is <paramref name="colour"/> (<c>#rrggbb</c>, lower case).</summary>
    public bool IsSolid(string colour) => Differing == 0 && Centre == colour && Corners.All(c => c == colour);

    public override string ToString() => $"{Width}x{Height} centre {Centre} corners {string.Join(' ', Corners)}, {Differing} pixels differ";
}
