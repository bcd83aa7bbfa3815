namespace Websockify.Tests.Integration.Infrastructure;

/// <summary>Removes a test's scratch directory when disposed, whatever is left in it.</summary>
internal sealed class TemporaryDirectory(DirectoryInfo directory) : IDisposable
{
    public void Dispose()
    {
        try
        {
            directory.Delete(recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // already gone
        }
    }
}
