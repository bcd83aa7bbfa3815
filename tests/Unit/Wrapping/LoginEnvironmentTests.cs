using Websockify.Interop;
using Websockify.Wrapping;

namespace Websockify.Tests.Unit.Wrapping;

public sealed class LoginEnvironmentTests
{
    private static readonly PasswdEntry Vnc = new("vnc", 1001, 1001, "/home/vnc", "/bin/bash");

    [Fact]
    public void Missing_variables_come_from_the_passwd_entry()
    {
        var environment = new Dictionary<string, string?> { ["PATH"] = "/usr/bin" };
        LoginEnvironment.FillIn(environment, Vnc);
        Assert.Equal("/home/vnc", environment["HOME"]);
        Assert.Equal("vnc", environment["USER"]);
        Assert.Equal("vnc", environment["LOGNAME"]);
        Assert.Equal("/bin/bash", environment["SHELL"]);
        Assert.Equal("/usr/bin", environment["PATH"]);
    }

    [Fact]
    public void Values_already_set_are_kept_and_empty_ones_filled()
    {
        var environment = new Dictionary<string, string?> { ["HOME"] = "/srv/desk", ["USER"] = "" };
        LoginEnvironment.FillIn(environment, Vnc);
        Assert.Equal("/srv/desk", environment["HOME"]);
        Assert.Equal("vnc", environment["USER"]);
    }

    [Fact]
    public void An_empty_shell_field_means_bin_sh_and_an_empty_home_sets_nothing()
    {
        var environment = new Dictionary<string, string?>();
        LoginEnvironment.FillIn(environment, Vnc with { Shell = "", Home = "" });
        Assert.Equal("/bin/sh", environment["SHELL"]);
        Assert.False(environment.ContainsKey("HOME"));
    }

    [Fact]
    public void No_entry_changes_nothing()
    {
        var environment = new Dictionary<string, string?>();
        LoginEnvironment.FillIn(environment, null);
        Assert.Empty(environment);
    }

    [Fact]
    public void The_current_user_is_read_through_getpwuid_r()
    {
        var uid = File.ReadLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal))
            .Split('\t', StringSplitOptions.RemoveEmptyEntries)[2];
        var expected = File.ReadLines("/etc/passwd").Select(l => l.Split(':')).First(f => f.Length >= 7 && f[2] == uid);

        var user = LibC.CurrentUser();
        Assert.NotNull(user);
        Assert.Equal(expected[0], user.Name);
        Assert.Equal(uint.Parse(uid), user.Uid);
        Assert.Equal(expected[5], user.Home);
        Assert.Equal(expected[6], user.Shell);
    }
}
