using System.Runtime.Versioning;

// A Unix daemon: LD_PRELOAD, systemd, signals. Declaring it lets the analyzers accept Linux-only APIs.
[assembly: SupportedOSPlatform("linux")]
