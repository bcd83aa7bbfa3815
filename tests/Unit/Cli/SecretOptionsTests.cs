using Websockify.Cli;

namespace Websockify.Tests.Unit.Cli;

/// <summary>What -D's child gets for argv: everything but the key password options, however they were spelt.</summary>
public sealed class SecretOptionsTests
{
    [Theory]
    [InlineData("-D|--key-password=pw|6080|h:1", "-D|6080|h:1")]
    [InlineData("-D|--key-password|pw|6080|h:1", "-D|6080|h:1")]
    [InlineData("--key-password-file|/run/pw|-D|6080|h:1", "-D|6080|h:1")]
    [InlineData("--key-password-f=/run/pw|-D|6080|h:1", "-D|6080|h:1")]
    [InlineData("--key-password-|/run/pw|-vD|6080|h:1", "-vD|6080|h:1")]
    [InlineData("--cert|--key-password|-D|6080|h:1", "--cert|--key-password|-D|6080|h:1")] // the value of --cert
    [InlineData("-D|6080|--|prog|--key-password|x", "-D|6080|--|prog|--key-password|x")] // the wrapped program's
    [InlineData("--key-password=a|-D|--key-password|b|6080|h:1", "-D|6080|h:1")] // repeated
    public void Key_password_options_are_left_out(string argv, string expected) =>
        Assert.Equal(expected.Split('|'), SecretOptions.Without(argv.Split('|')));
}
