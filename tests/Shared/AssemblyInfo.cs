using System.Runtime.Versioning;

// The daemon is Linux-only; so are its tests.
[assembly: SupportedOSPlatform("linux")]
