using Websockify.Tokens;
using Xunit;

namespace Websockify.Tests.Unit.Tokens;

/// <summary>Upstream's <c>parse_source_args</c> regex, case by case.</summary>
public sealed class TokenSourceFieldsTests
{
    [Theory]
    [InlineData("a", new[] { "a" })]
    [InlineData("", new[] { "" })]
    [InlineData("a:b:c:d", new[] { "a", "b", "c", "d" })]
    [InlineData("a::c", new[] { "a", "", "c" })]
    [InlineData("a:", new[] { "a", "" })]
    [InlineData("::", new[] { "", "", "" })]
    [InlineData("a:\"b:c\":d", new[] { "a", "b:c", "d" })]
    [InlineData("\"a:b\":c", new[] { "a:b", "c" })]
    [InlineData("h::::\"ns1:ns2\"", new[] { "h", "", "", "", "ns1:ns2" })]
    [InlineData("a:\"b\"", new[] { "a", "b" })]
    [InlineData("\"::1\":6380", new[] { "::1", "6380" })]
    public void Splits_at_colons_except_inside_a_quoted_field(string source, string[] fields) =>
        Assert.Equal(fields, TokenSourceFields.Split(source));

    [Theory]
    [InlineData("a:\"b:c", new[] { "a", "\"b", "c" })] // no closing quote: taken as written
    [InlineData("a:\"b:c\"x", new[] { "a", "\"b", "c\"x" })] // the quote does not end the field
    [InlineData("a:\"\":c", new[] { "a", "\"\"", "c" })] // an empty quoted field is two quote characters
    [InlineData("a:b\"c:d\"", new[] { "a", "b\"c", "d\"" })] // a quote inside a field is a character
    public void Anything_but_a_whole_quoted_field_is_taken_as_written(string source, string[] fields) =>
        Assert.Equal(fields, TokenSourceFields.Split(source));
}
