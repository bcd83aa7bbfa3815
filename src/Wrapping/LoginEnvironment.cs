using Websockify.Interop;

namespace Websockify.Wrapping;

/// <summary>
/// What a program expects of a login: <c>HOME</c>, <c>USER</c>, <c>LOGNAME</c> and <c>SHELL</c> from the passwd
/// entry of the user the daemon runs as. systemd sets them only for a service with <c>User=</c>, and
/// vncserver refuses to start without <c>HOME</c>. Values already in the environment are kept.
/// </summary>
internal static class LoginEnvironment
{
    public static void FillIn(IDictionary<string, string?> environment, PasswdEntry? user)
    {
        if (user is null)
        {
            return;
        }

        SetIfMissing(environment, "HOME", user.Home);
        SetIfMissing(environment, "USER", user.Name);
        SetIfMissing(environment, "LOGNAME", user.Name);
        SetIfMissing(environment, "SHELL", user.Shell.Length > 0 ? user.Shell : "/bin/sh"); // passwd(5): empty means /bin/sh
    }

    private static void SetIfMissing(IDictionary<string, string?> environment, string name, string value)
    {
        if (value.Length > 0 && (!environment.TryGetValue(name, out var existing) || string.IsNullOrEmpty(existing)))
        {
            environment[name] = value;
        }
    }
}
