using System.Runtime.Versioning;

// The daemon is Linux-only (src/AssemblyInfo.cs), and so is what drives it here.
[assembly: SupportedOSPlatform("linux")]
