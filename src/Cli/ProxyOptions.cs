using System.Net.Security;
using System.Security.Authentication;

namespace Websockify.Cli;

/// <summary>Validated settings for one daemon run; built once at start-up from the command line.</summary>
internal sealed record ProxyOptions
{
    /// <summary>Null when the service manager (or inetd) passed the listening socket and none was named.</summary>
    public HostPort? Listen { get; init; }

    /// <summary><c>--inetd</c>: fd 0 is the listening socket.</summary>
    public bool Inetd { get; init; }

    /// <summary><c>-D</c>: detach and return once listening.</summary>
    public bool Daemon { get; init; }

    public string? PidFile { get; init; }

    /// <summary>The fixed target of the positional grammar; null in wrap mode.</summary>
    public HostPort? Target { get; init; }

    /// <summary>Set for <c>websockify PORT -- PROGRAM ARGS</c>.</summary>
    public WrapSettings? Wrap { get; init; }

    public bool Verbose { get; init; }

    public bool PreferIpv6 { get; init; }

    public string? LogFile { get; init; }

    public required TlsSettings Tls { get; init; }
}

/// <summary>The program to wrap and how to supervise it.</summary>
internal sealed record WrapSettings(IReadOnlyList<string> Command, Wrapping.WrapMode Mode, string? RebindLibrary)
{
    /// <summary>Upstream's form in the banner and logs: 'prog arg1 arg2'.</summary>
    public string Description => $"'{string.Join(' ', Command)}'";
}

/// <summary>
/// Where the certificate comes from and how TLS is negotiated. The certificate file is optional unless
/// <see cref="SslOnly"/>: without it, TLS clients are refused and plain ones served, as upstream does.
/// </summary>
internal sealed record TlsSettings
{
    public required string CertPath { get; init; }

    public string? KeyPath { get; init; }

    public string? KeyPassword { get; init; }

    public bool SslOnly { get; init; }

    public SslProtocols MinimumProtocols { get; init; } = SslProtocols.None;

    public IReadOnlyList<TlsCipherSuite>? CipherSuites { get; init; }
}
