using Websockify.Hosting;

namespace Websockify.Tests.Unit.Hosting;

/// <summary>The child's side of -D's password pipe when the variable is wrong (the round trip is in the integration tests).</summary>
public sealed class KeyPasswordHandoffTests
{
    [Theory]
    [InlineData("abc")]
    [InlineData("1")] // stdout: never ours to read
    [InlineData("987654")] // not open
    public void A_variable_naming_no_open_pipe_is_an_error_and_is_removed(string value)
    {
        Environment.SetEnvironmentVariable(KeyPasswordHandoff.Variable, value);
        var error = Assert.Throws<IOException>(KeyPasswordHandoff.Take);
        Assert.Equal($"{KeyPasswordHandoff.Variable}={value} is not an open file descriptor", error.Message);
        Assert.Null(Environment.GetEnvironmentVariable(KeyPasswordHandoff.Variable));
    }

    [Fact]
    public void No_variable_means_no_password()
    {
        Environment.SetEnvironmentVariable(KeyPasswordHandoff.Variable, null);
        Assert.Null(KeyPasswordHandoff.Take());
    }
}
