using Microsoft.Extensions.Logging;

namespace Websockify.Hosting;

/// <summary>Something SIGHUP reloads (the certificate; later the CA file and token sources).</summary>
internal interface IReloadable
{
    /// <summary>For the log line when a reload fails in a way it did not handle itself.</summary>
    string ReloadName { get; }

    /// <summary>Reads its files again; on any failure keeps what it had and logs why.</summary>
    void Reload(ILogger logger);
}
