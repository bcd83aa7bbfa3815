namespace Websockify.Interop;

/// <summary>The fields of a passwd(5) entry that a login environment is made of.</summary>
internal sealed record PasswdEntry(string Name, uint Uid, uint Gid, string Home, string Shell);
