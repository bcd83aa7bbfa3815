namespace Websockify.Logging;

/// <summary>Sends one syslog datagram without ever blocking: the seam between <see cref="SyslogWriter"/> and a socket.</summary>
internal interface ISyslogTransport : IDisposable
{
    /// <summary>Names the server in the outage line ("127.0.0.1:514", "/dev/log").</summary>
    string Description { get; }

    /// <summary>The datagram size this transport's receivers are expected to take.</summary>
    int MaxDatagramBytes { get; }

    /// <summary>
    /// <see cref="SyslogSendResult.Sent"/>; <see cref="SyslogSendResult.Busy"/> when the socket buffer
    /// (or a local reader's queue) is full; <see cref="SyslogSendResult.Failed"/> with a reason otherwise.
    /// </summary>
    SyslogSendResult Send(ReadOnlySpan<byte> datagram, out string? failure);
}
