using Websockify.Cli;
using Websockify.Logging;

namespace Websockify.Tests.Unit.Cli;

public sealed class SyslogOptionTests
{
    private static ProxyOptions Build(params string[] argv) =>
        OptionsBuilder.Build(ArgumentTokenizer.Tokenize(argv), "/work/dir", _ => false);

    [Theory]
    [InlineData("127.0.0.1:514", "127.0.0.1", 514)]
    [InlineData("logs.example:5140", "logs.example", 5140)]
    [InlineData("[::1]:514", "::1", 514)]
    [InlineData("::1:514", "::1", 514)]
    [InlineData("[fe80::1]:65535", "fe80::1", 65535)]
    [InlineData(":514", "localhost", 514)]
    public void Host_and_port_mean_udp_split_at_the_last_colon(string spec, string host, int port) =>
        Assert.Equal(SyslogServer.Udp(host, port), SyslogServerSpec.Parse(spec, "/work/dir"));

    [Theory]
    [InlineData("/dev/log", "/dev/log")]
    [InlineData("log.sock", "/work/dir/log.sock")]
    [InlineData("../run/log", "/work/run/log")]
    public void Anything_without_a_colon_is_a_socket_path_made_absolute(string spec, string path) =>
        Assert.Equal(SyslogServer.Unix(path), SyslogServerSpec.Parse(spec, "/work/dir"));

    [Theory]
    [InlineData("host:")]
    [InlineData("host:abc")]
    [InlineData("host:0")]
    [InlineData("host:65536")]
    [InlineData("host:+514")]
    [InlineData("host: 514")]
    [InlineData("[::1]")]
    public void A_bad_port_is_upstreams_usage_error(string spec) =>
        Assert.Equal("Error parsing syslog port", Assert.Throws<CliUsageException>(() => SyslogServerSpec.Parse(spec, "/")).Message);

    [Fact]
    public void An_empty_server_or_an_overlong_socket_path_is_a_usage_error()
    {
        Assert.Throws<CliUsageException>(() => SyslogServerSpec.Parse("", "/"));
        Assert.Contains("longer than 107 bytes", Assert.Throws<CliUsageException>(() => SyslogServerSpec.Parse("/" + new string('s', 107), "/")).Message);
        Assert.Equal(SyslogServer.Unix("/" + new string('s', 106)), SyslogServerSpec.Parse("/" + new string('s', 106), "/"));
    }

    [Fact]
    public void Facility_is_daemon_with_D_and_user_without()
    {
        Assert.Equal(new SyslogSettings(SyslogServer.Unix("/dev/log"), SyslogFraming.Rfc5424, 1), Build("--syslog", "/dev/log", "6080", "h:1").Syslog);
        Assert.Equal(new SyslogSettings(SyslogServer.Udp("10.0.0.1", 514), SyslogFraming.Legacy, 3), Build("-D", "--legacy-syslog", "--syslog=10.0.0.1:514", "6080", "h:1").Syslog);
        Assert.Null(Build("6080", "h:1").Syslog);
    }

    [Fact]
    public void Legacy_syslog_needs_syslog() =>
        Assert.Equal("You must use --syslog to use --legacy-syslog", Assert.Throws<CliUsageException>(() => Build("--legacy-syslog", "6080", "h:1")).Message);
}
