using Websockify.Cli;

namespace Websockify.Tests.Unit.Cli;

/// <summary>--key-password, --key-password-file and the systemd credential, with real files.</summary>
public sealed class KeyPasswordSourcesTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("websockify-keypw-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string? Password(string? credentials, params string[] argv) =>
        OptionsBuilder.Build(ArgumentTokenizer.Tokenize([.. argv, "6080", "h:1"]), _directory, _ => false, credentialsDirectory: credentials).Tls.KeyPassword;

    private string UsageError(string? credentials, params string[] argv) =>
        Assert.Throws<CliUsageException>(() => Password(credentials, argv)).Message;

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void Key_password_is_still_matched_by_its_full_name()
    {
        Assert.Equal("pw", Password(null, "--key-password", "pw"));
        Assert.Equal("pw", Password(null, "--key-password=pw"));
        Assert.StartsWith("ambiguous option: --key-pass (", UsageError(null, "--key-pass=pw"));
    }

    [Theory]
    [InlineData("secret\n", "secret")]
    [InlineData("secret", "secret")]
    [InlineData("secret\r\n", "secret")]
    [InlineData("with spaces \n", "with spaces ")]
    [InlineData("first\nsecond\n", "first")]
    [InlineData("\n", "")]
    public void The_file_gives_its_first_line_without_the_line_ending(string content, string expected)
    {
        Write("pw", content);
        Assert.Equal(expected, Password(null, "--key-password-file", "pw")); // relative to the working directory
        Assert.Equal(expected, Password(null, "--key-password-f=" + Path.Combine(_directory, "pw")));
    }

    [Fact]
    public void Unusable_files_are_usage_errors_naming_the_file()
    {
        var missing = Path.Combine(_directory, "missing");
        Assert.StartsWith($"option --key-password-file: cannot read '{missing}': ", UsageError(null, "--key-password-file", missing));
        Assert.Equal($"option --key-password-file: cannot read '{_directory}': it is a directory", UsageError(null, "--key-password-file", _directory));
        var big = Write("big", new string('x', KeyPasswordSources.MaxBytes + 1) + "\n");
        Assert.Equal($"option --key-password-file: the first line of '{big}' is longer than 4096 bytes", UsageError(null, "--key-password-file", big));
        Assert.Equal("secret", Password(null, "--key-password-file", Write("long-tail", "secret\n" + new string('x', 100_000))));
        var binary = Path.Combine(_directory, "binary");
        File.WriteAllBytes(binary, [0xff, 0xfe, (byte)'\n']);
        Assert.Equal($"option --key-password-file: the first line of '{binary}' is not UTF-8", UsageError(null, "--key-password-file", binary));
    }

    [Fact]
    public void Both_options_together_are_a_usage_error() =>
        Assert.Equal(
            "--key-password and --key-password-file cannot be used together",
            UsageError(null, "--key-password=a", "--key-password-file", Write("pw", "b\n")));

    [Fact]
    public void The_credential_is_used_only_when_no_option_names_a_password()
    {
        var credentials = Directory.CreateDirectory(Path.Combine(_directory, "credentials")).FullName;
        Assert.Null(Password(credentials));
        File.WriteAllText(Path.Combine(credentials, "websockify-key-password"), "from-systemd\n");
        Assert.Equal("from-systemd", Password(credentials));
        Assert.Equal("given", Password(credentials, "--key-password=given"));
        Assert.Equal("file", Password(credentials, "--key-password-file", Write("pw", "file\n")));
        Assert.Null(Password(null));
        Assert.Null(Password(""));
    }

    [Fact]
    public void A_password_longer_than_the_bound_is_refused_on_the_command_line_too() =>
        Assert.Equal("option --key-password: longer than 4096 bytes", UsageError(null, "--key-password=" + new string('x', 4097)));
}
