using System.Security.Authentication;
using System.Net.Security;
using Websockify.Cli;
using Websockify.Recording;
using Websockify.Listening;
using Websockify.Targets;
using Websockify.Web;

namespace Websockify.Tests.Unit.Cli;

public sealed class OptionsBuilderTests
{
    private static ProxyOptions Build(params string[] argv) =>
        OptionsBuilder.Build(ArgumentTokenizer.Tokenize(argv), "/work/dir", _ => false);

    private static string UsageError(params string[] argv) =>
        Assert.Throws<CliUsageException>(() => Build(argv)).Message;

    [Theory]
    [InlineData("6080", null, 6080)]
    [InlineData(":6080", null, 6080)]
    [InlineData("127.0.0.1:6080", "127.0.0.1", 6080)]
    [InlineData("[::1]:6080", "::1", 6080)]
    [InlineData("::1:6080", "::1", 6080)]
    [InlineData("localhost:0", "localhost", 0)]
    public void Listen_spec_follows_upstream_grammar(string spec, string? host, int port)
    {
        var options = Build(spec, "localhost:5900");
        Assert.Equal(new ListenSettings(host, port), options.Listen);
    }

    [Theory]
    [InlineData("localhost:5900", "localhost", 5900)]
    [InlineData("[::1]:5901", "::1", 5901)]
    [InlineData("fe80::1:5901", "fe80::1", 5901)]
    public void Target_spec_follows_upstream_grammar(string spec, string host, int port) =>
        Assert.Equal(TargetEndpoint.Tcp(host, port), Build("6080", spec).Target);

    [Theory]
    [InlineData("Too few arguments")]
    [InlineData("Too few arguments", "6080")]
    [InlineData("Too many arguments", "6080", "h:1", "extra")]
    [InlineData("Error parsing listen port", "x:abc", "h:1")]
    [InlineData("Error parsing listen port", "70000", "h:1")]
    [InlineData("Error parsing target", "6080", "hostonly")]
    [InlineData("Error parsing target port", "6080", "h:port")]
    [InlineData("Error parsing target port", "6080", "h:0")]
    [InlineData("no such option: --bogus", "--bogus", "6080", "h:1")]
    [InlineData("no such option: -q", "-q", "6080", "h:1")]
    [InlineData("--cert option requires 1 argument", "6080", "h:1", "--cert")]
    [InlineData("--ssl-only option does not take a value", "--ssl-only=yes", "6080", "h:1")]
    public void Usage_errors_carry_upstream_messages(string message, params string[] argv) =>
        Assert.Equal(message, UsageError(argv));

    [Fact]
    public void Ssl_target_marks_the_target_and_keeps_its_trust_settings()
    {
        Assert.Null(Build("6080", "h:1").TargetTls);
        var plain = Build("--ssl-target", "6080", "h:1");
        Assert.Equal(TargetEndpoint.Tcp("h", 1, tls: true), plain.Target);
        Assert.Equal(new TargetTlsSettings(null, false), plain.TargetTls);
        Assert.Equal(new TargetTlsSettings("/work/dir/ca.pem", false), Build("--ssl-target", "--ssl-target-cafile", "ca.pem", "6080", "h:1").TargetTls);
        Assert.Equal(new TargetTlsSettings(null, true), Build("--ssl-target", "--ssl-target-insecure", "6080", "h:1").TargetTls);
    }

    [Theory]
    [InlineData("You must use --ssl-target to use --ssl-target-cafile", "--ssl-target-cafile", "ca.pem", "6080", "h:1")]
    [InlineData("You must use --ssl-target to use --ssl-target-insecure", "--ssl-target-insecure", "6080", "h:1")]
    [InlineData("--ssl-target-cafile and --ssl-target-insecure cannot be used together", "--ssl-target", "--ssl-target-cafile=ca.pem", "--ssl-target-insecure", "6080", "h:1")]
    [InlineData("--ssl-target cannot be used with a wrapped program", "--ssl-target", "6080", "--", "vncserver")]
    public void Ssl_target_options_must_fit_together(string message, params string[] argv) =>
        Assert.Equal(message, UsageError(argv));

    [Fact]
    public void Options_may_be_interleaved_abbreviated_and_clustered()
    {
        var options = Build("6080", "--verb", "h:1", "-6", "--log-file", "ws.log", "--cert=c.pem");
        Assert.True(options.Verbose);
        Assert.True(options.Listen!.PreferIpv6);
        Assert.Equal("/work/dir/ws.log", options.LogFile);
        Assert.Equal("/work/dir/c.pem", options.Tls.CertPath);

        var clustered = Build("-v6", "6080", "h:1");
        Assert.True(clustered.Verbose && clustered.Listen!.PreferIpv6);
    }

    [Fact]
    public void Ambiguous_prefix_names_the_candidates()
    {
        var message = UsageError("--ssl", "6080", "h:1");
        Assert.StartsWith("ambiguous option: --ssl (", message);
        Assert.Contains("--ssl-only", message);
        Assert.Contains("--ssl-version", message);
    }

    [Fact]
    public void Default_certificate_is_self_pem_in_the_working_directory()
    {
        var tls = Build("6080", "h:1").Tls;
        Assert.Equal("/work/dir/self.pem", tls.CertPath);
        Assert.False(tls.CertGiven); // so a reload does not go looking for it
        Assert.True(Build("6080", "--cert=c.pem", "h:1").Tls.CertGiven);
    }

    [Fact]
    public void Ssl_only_requires_the_certificate_file()
    {
        Assert.Equal("SSL only and /work/dir/self.pem not found", UsageError("--ssl-only", "6080", "h:1"));
        var options = OptionsBuilder.Build(ArgumentTokenizer.Tokenize(["--ssl-only", "6080", "h:1"]), "/work/dir", _ => true);
        Assert.True(options.Tls.SslOnly);
    }

    [Theory]
    [InlineData("default", SslProtocols.None)]
    [InlineData("tlsv1_2", SslProtocols.Tls12 | SslProtocols.Tls13)]
    [InlineData("tlsv1_3", SslProtocols.Tls13)]
    public void Ssl_version_names_a_minimum(string value, SslProtocols expected) =>
        Assert.Equal(expected, Build("--ssl-version", value, "6080", "h:1").Tls.MinimumProtocols);

    [Fact]
    public void Ssl_version_rejects_unknown_choices() =>
        Assert.Equal(
            "option --ssl-version: invalid choice: 'sslv3' (choose from 'default', 'tlsv1_1', 'tlsv1_2', 'tlsv1_3')",
            UsageError("--ssl-version=sslv3", "6080", "h:1"));

    [Fact]
    public void Ssl_ciphers_accept_iana_and_openssl_names()
    {
        var suites = Build("--ssl-ciphers", "TLS_AES_256_GCM_SHA384:ECDHE-RSA-AES128-GCM-SHA256", "6080", "h:1").Tls.CipherSuites;
        Assert.Equal([TlsCipherSuite.TLS_AES_256_GCM_SHA384, TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256], suites);
    }

    [Theory]
    [InlineData("10", null, 10, 30)]
    [InlineData("10", "4.5", 10, 4.5)]
    [InlineData("1", "1", 1, 1)]
    public void Heartbeat_sets_the_interval_and_a_timeout_of_three_beats_unless_given(string interval, string? timeout, double seconds, double timeoutSeconds)
    {
        string[] argv = timeout is null ? [$"--heartbeat={interval}", "6080", "h:1"] : [$"--heartbeat={interval}", $"--heartbeat-timeout={timeout}", "6080", "h:1"];
        var heartbeat = Build(argv).Heartbeat!;
        Assert.Equal((TimeSpan.FromSeconds(seconds), TimeSpan.FromSeconds(timeoutSeconds)), (heartbeat.Interval, heartbeat.Timeout));
    }

    [Fact]
    public void Heartbeat_zero_or_absent_is_off() =>
        Assert.Equal((null, null), (Build("--heartbeat=0", "6080", "h:1").Heartbeat, Build("6080", "h:1").Heartbeat));

    [Theory]
    [InlineData("option --heartbeat: invalid integer value: '1.5'", "--heartbeat=1.5")]
    [InlineData("option --heartbeat-timeout: invalid value: '0'", "--heartbeat=1", "--heartbeat-timeout=0")]
    public void Heartbeat_values_are_checked(string message, params string[] options) =>
        Assert.Contains(message, UsageError([.. options, "6080", "h:1"]));

    [Fact]
    public void Ssl_ciphers_refuse_openssl_keywords() =>
        Assert.Contains("'HIGH' is not a cipher suite name", UsageError("--ssl-ciphers=HIGH:!aNULL", "6080", "h:1"));

    [Fact]
    public void A_token_plugin_takes_the_place_of_the_target_positional()
    {
        var options = Build("--token-plugin=websockify.token_plugins.BasePlugin", "127.0.0.1:6080");
        Assert.Equal("BasePlugin", options.Tokens!.PluginName);
        Assert.False(options.Tokens.HostToken);
        Assert.Null(options.Target);
        Assert.True(Build("--token-plugin=BasePlugin", "--host-token", "6080").Tokens!.HostToken);
        Assert.Equal("Too many arguments", UsageError("--token-plugin=BasePlugin", "6080", "h:1"));
        Assert.Contains("wrapped program", UsageError("--token-plugin=BasePlugin", "6080", "--", "prog"));
        Assert.Contains("--unix-target", UsageError("--token-plugin=BasePlugin", "--unix-target=/s", "6080"));
    }

    [Fact]
    public void An_unknown_token_plugin_is_a_usage_error_listing_the_plugins() =>
        Assert.Contains("unknown plugin 'my.module.Plugin' (choose from BasePlugin", UsageError("--token-plugin=my.module.Plugin", "6080"));

    [Fact]
    public void Target_config_satisfies_the_token_plugin_checks() =>
        Assert.DoesNotContain("You must use", Record.Exception(() => Build("--target-config=t.cfg", "--host-token", "6080"))?.Message ?? "");

    [Fact]
    public void Auth_plugin_and_web_auth_are_read()
    {
        var options = Build("--auth-plugin=ExpectOrigin", "--auth-source=http://a", "--web=/srv", "--web-auth", "6080", "h:1");
        Assert.Equal("ExpectOrigin", options.Auth!.PluginName);
        Assert.True(options.Auth.WebAuth);
        Assert.False(Build("--auth-plugin=ExpectOrigin", "--auth-source=http://a", "6080", "h:1").Auth!.WebAuth);
    }

    [Fact]
    public void Libserver_is_refused_with_the_reason() =>
        Assert.Contains("--libserver selects upstream's Python library server", UsageError("--libserver", "6080", "h:1"));

    [Theory]
    [InlineData("You must use --token-plugin to use --token-source", "--token-source=x", "6080", "h:1")]
    [InlineData("You must use --auth-plugin to use --auth-source", "--auth-source=x", "6080", "h:1")]
    [InlineData("You must use --web to use --web-auth", "--web-auth", "--auth-plugin=ExpectOrigin", "6080", "h:1")]
    [InlineData("You must use --syslog to use --legacy-syslog", "--legacy-syslog", "6080", "h:1")]
    public void Cross_option_errors_come_first(string message, params string[] argv) =>
        Assert.Equal(message, UsageError(argv));

    [Fact]
    public void Unix_target_takes_the_place_of_the_target_positional_and_is_made_absolute()
    {
        var options = Build("--unix-target=run/vnc.sock", "6080");
        Assert.Equal(TargetEndpoint.Unix("/work/dir/run/vnc.sock"), options.Target);
        Assert.Equal(6080, options.Listen!.Port);
        Assert.Equal("Too many arguments", UsageError("--unix-target=/s", "6080", "h:1"));
        Assert.Equal("Too few arguments", UsageError("--unix-target=/s"));
        Assert.Contains("wrapped program", UsageError("--unix-target=/s", "6080", "--", "prog"));
    }

    [Theory]
    [InlineData("", "h:1")]
    [InlineData("6080", "6080", "h:1")]
    public void Unix_listen_listens_instead_of_tcp_without_a_listen_positional_and_as_well_with_one(string tcpPort, params string[] positionals)
    {
        var options = Build(["--unix-listen=ws.sock", .. positionals]);
        Assert.Equal(new UnixListenSettings("/work/dir/ws.sock", 0x180), options.UnixListen);
        Assert.Equal(tcpPort, options.Listen?.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "");
        Assert.Equal(TargetEndpoint.Tcp("h", 1), options.Target);
    }

    [Fact]
    public void Unix_listen_in_wrap_mode_still_needs_the_port_the_program_binds()
    {
        var options = Build("--unix-listen=/run/ws.sock", "5901", "--", "vncserver", ":1");
        Assert.Equal(5901, options.Listen!.Port);
        Assert.NotNull(options.Wrap);
        Assert.Equal("Too few arguments", UsageError("--unix-listen=/run/ws.sock", "--", "vncserver"));
        Assert.Null(Build("--unix-listen=/a", "--unix-target=/b").Listen);
    }

    [Theory]
    [InlineData("--unix-listen", "h:1")]
    [InlineData("--unix-target", "6080")]
    public void Unix_socket_paths_too_long_for_sockaddr_un_are_usage_errors(string option, string positional) =>
        Assert.Contains("too long for a unix socket path", UsageError(option + "=" + new string('p', 100), positional));

    [Theory]
    [InlineData("0600", 0x180)]
    [InlineData("660", 0x1B0)]
    [InlineData("0o777", 0x1FF)]
    [InlineData("0", 0)]
    public void Unix_listen_mode_is_octal(string text, int mode) =>
        Assert.Equal(mode, Build("--unix-listen=/s", "--unix-listen-mode", text, "h:1").UnixListen!.Mode);

    [Theory]
    [InlineData("0800")]
    [InlineData("rw")]
    [InlineData("1777")]
    [InlineData("")]
    [InlineData("-600")]
    public void A_bad_unix_listen_mode_is_upstreams_error(string text) =>
        Assert.Equal("Error parsing listen unix socket mode", UsageError("--unix-listen=/s", "--unix-listen-mode=" + text, "h:1"));

    [Fact]
    public void Record_file_is_made_absolute_an_empty_one_records_nothing_and_traffic_is_a_flag()
    {
        Assert.Equal(new RecordSettings("/work/dir/rec/session"), Build("--record", "rec/session", "6080", "h:1").Record);
        Assert.Equal("/tmp/r.7", Build("--record=/tmp/r", "6080", "h:1").Record!.PathFor(7));
        Assert.Null(Build("--record=", "6080", "h:1").Record);
        Assert.Null(Build("6080", "h:1").Record);
        Assert.Equal((true, false), (Build("--traffic", "6080", "h:1").Traffic, Build("6080", "h:1").Traffic));
    }

    [Fact]
    public void Web_root_is_made_absolute_against_the_working_directory()
    {
        Assert.Equal(new WebSettings("/work/dir/novnc", FileOnly: false), Build("--web", "novnc", "6080", "h:1").Web);
        Assert.Equal(new WebSettings("/srv/www", FileOnly: true), Build("--web=/srv/www", "--file-only", "6080", "h:1").Web);
        Assert.Null(Build("6080", "h:1").Web);
    }

    [Fact]
    public void Wrap_grammar_takes_everything_after_the_double_dash()
    {
        var options = Build("--wrap-mode=respawn", "5901", "--", "vncserver", "-geometry", "800x600", ":1");
        Assert.Null(options.Target);
        Assert.Equal(["vncserver", "-geometry", "800x600", ":1"], options.Wrap!.Command);
        Assert.Equal("'vncserver -geometry 800x600 :1'", options.Wrap.Description);
        Assert.Equal("Too many arguments", UsageError("5901", "h:1", "--", "prog"));
        Assert.Equal("Too few arguments", UsageError("5901", "--"));
    }

    [Fact]
    public void Wrap_mode_defaults_to_exit_and_rejects_unknown_modes()
    {
        Assert.Equal(Websockify.Wrapping.WrapMode.Exit, Build("5901", "--", "prog").Wrap!.Mode);
        Assert.Equal(Websockify.Wrapping.WrapMode.Ignore, Build("--wrap-mode", "ignore", "5901", "--", "prog").Wrap!.Mode);
        Assert.Equal(
            "option --wrap-mode: invalid choice: 'forever' (choose from 'exit', 'ignore', 'respawn')",
            UsageError("--wrap-mode=forever", "5901", "--", "prog"));
    }

    [Fact]
    public void Target_proxy_protocol_is_off_by_default_and_takes_v1_or_v2_only()
    {
        Assert.Null(Build("6080", "h:1").TargetProxyProtocol);
        Assert.Equal(ProxyProtocolVersion.V1, Build("--target-proxy-protocol=v1", "6080", "h:1").TargetProxyProtocol);
        Assert.Equal(ProxyProtocolVersion.V2, Build("--target-proxy-protocol", "v2", "6080", "--", "prog").TargetProxyProtocol);
        Assert.Equal(
            "option --target-proxy-protocol: invalid choice: 'V2' (choose from 'v1', 'v2')",
            UsageError("--target-proxy-protocol=V2", "6080", "h:1"));
    }

    [Theory]
    [InlineData(null, "h:1", "h:1")]
    [InlineData("6080", "h:1", "6080", "h:1")]
    public void With_passed_sockets_the_listen_positional_is_optional(string? listen, string target, params string[] argv)
    {
        var options = OptionsBuilder.Build(ArgumentTokenizer.Tokenize(argv), "/w", _ => false, socketsPassed: true);
        Assert.Equal(listen is null ? null : new ListenSettings(null, int.Parse(listen, System.Globalization.CultureInfo.InvariantCulture)), options.Listen);
        var parsed = HostPort.ParseTarget(target);
        Assert.Equal(TargetEndpoint.Tcp(parsed.Host!, parsed.Port), options.Target);
    }

    [Fact]
    public void Inetd_needs_no_listen_positional_and_wrap_needs_no_target()
    {
        Assert.Null(Build("--inetd", "h:1").Listen);
        var wrapped = OptionsBuilder.Build(ArgumentTokenizer.Tokenize(["--", "vncserver", ":1"]), "/w", _ => false, socketsPassed: true);
        Assert.Null(wrapped.Listen);
        Assert.Equal(["vncserver", ":1"], wrapped.Wrap!.Command);
        Assert.Equal("Too few arguments", UsageError("--inetd"));
    }

    [Fact]
    public void Daemon_and_pid_file()
    {
        var options = Build("-D", "--pid-file", "run/ws.pid", "6080", "h:1");
        Assert.True(options.Daemon);
        Assert.Equal("/work/dir/run/ws.pid", options.PidFile);
    }

    [Theory]
    [InlineData("1", 1.0)]
    [InlineData("0.25", 0.25)]
    [InlineData("86400", 86400.0)]
    public void Handshake_timeout_sets_the_one_limit(string value, double seconds)
    {
        Assert.Equal(Limits.Default.HandshakeTimeout, Build("6080", "h:1").Limits.HandshakeTimeout);
        var limits = Build("--handshake-timeout", value, "6080", "h:1").Limits;
        Assert.Equal(TimeSpan.FromSeconds(seconds), limits.HandshakeTimeout);
        Assert.Equal(Limits.Default.ConnectTimeout, limits.ConnectTimeout);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("ten")]
    [InlineData("86401")]
    [InlineData("1e3")]
    public void Handshake_timeout_refuses_what_is_not_a_positive_number_of_seconds(string value) =>
        Assert.Equal(
            $"option --handshake-timeout: invalid value: '{value}' (seconds, more than 0 and at most 86400)",
            UsageError("--handshake-timeout", value, "6080", "h:1"));

    [Fact]
    public void Connection_send_and_respawn_limits_have_their_documented_defaults_and_options()
    {
        var defaults = Build("6080", "h:1").Limits;
        Assert.Equal(10_000, defaults.MaxConnections);
        Assert.Equal(0, defaults.MaxConnectionsPerAddress);
        Assert.Equal(20, defaults.MaxRespawnsPerMinute);
        Assert.Equal(TimeSpan.FromSeconds(30), defaults.SendTimeout);

        var set = Build("--max-connections", "0", "--max-connections-per-ip", "8", "--max-respawns", "3", "--send-timeout", "2.5", "6080", "h:1").Limits;
        Assert.Equal(0, set.MaxConnections);
        Assert.Equal(8, set.MaxConnectionsPerAddress);
        Assert.Equal(3, set.MaxRespawnsPerMinute);
        Assert.Equal(TimeSpan.FromSeconds(2.5), set.SendTimeout);
        Assert.Equal(defaults.HandshakeTimeout, set.HandshakeTimeout);
    }

    [Theory]
    [InlineData("max-connections", "-1")]
    [InlineData("max-connections-per-ip", "1.5")]
    [InlineData("max-respawns", "1000001")]
    [InlineData("max-connections", "")]
    public void Count_limits_refuse_what_is_not_a_whole_number_up_to_a_million(string option, string value) =>
        Assert.Equal(
            $"option --{option}: invalid value: '{value}' (a whole number from 0, no limit, to 1000000)",
            UsageError($"--{option}", value, "6080", "h:1"));

    [Fact]
    public void Help_lists_every_option()
    {
        var help = UsageText.Help();
        foreach (var option in OptionTable.All)
        {
            Assert.Contains("--" + option.Long, help);
        }
    }

    [Fact]
    public void Trusted_proxies_and_the_proxy_protocol_are_read()
    {
        var behind = Build("--proxy-protocol", "--trusted-proxy=127.0.0.1,10.0.0.0/8", "6080", "h:1").ClientAddresses;
        Assert.True(behind.ProxyProtocol);
        Assert.True(behind.Trusted.Trusts(System.Net.IPAddress.Parse("10.2.3.4")));
        var forwardedOnly = Build("--trusted-proxy=::1", "6080", "h:1").ClientAddresses;
        Assert.False(forwardedOnly.ProxyProtocol);
        Assert.True(Build("6080", "h:1").ClientAddresses.Trusted.IsEmpty);
    }

    [Theory]
    [InlineData("You must use --trusted-proxy to use --proxy-protocol", "--proxy-protocol")]
    [InlineData("option --trusted-proxy: 'balancer' is not an address", "--trusted-proxy=balancer")]
    [InlineData("option --trusted-proxy: an empty entry", "--trusted-proxy=")]
    public void Trusted_proxy_mistakes_are_usage_errors(string message, params string[] options) =>
        Assert.Contains(message, UsageError([.. options, "6080", "h:1"]));

    [Fact]
    public void Drain_timeout_defaults_to_none_and_takes_fractions()
    {
        Assert.Equal(TimeSpan.Zero, Build("6080", "h:1").Limits.DrainTimeout);
        Assert.Equal(TimeSpan.Zero, Build("--drain-timeout=0", "6080", "h:1").Limits.DrainTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2.5), Build("--drain-timeout=2.5", "6080", "h:1").Limits.DrainTimeout);
        Assert.Contains("option --drain-timeout: invalid value: '-1'", UsageError("--drain-timeout=-1", "6080", "h:1"));
    }
}
