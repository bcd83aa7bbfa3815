namespace Websockify.Logging;

/// <summary>What became of one datagram.</summary>
internal enum SyslogSendResult
{
    Sent,

    /// <summary>EAGAIN: the server is slow; the line is dropped and counted, nothing is wrong otherwise.</summary>
    Busy,

    /// <summary>An error (ECONNREFUSED, ENOENT, no route): the server is down or absent.</summary>
    Failed,
}
