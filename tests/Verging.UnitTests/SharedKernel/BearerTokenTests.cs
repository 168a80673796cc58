using Verging.SharedKernel.Http;

namespace Verging.UnitTests.SharedKernel;

public sealed class BearerTokenTests
{
    [Theory]
    [InlineData("Bearer s3cret")]
    [InlineData("bearer s3cret")]
    [InlineData("BEARER s3cret")]
    [InlineData("Bearer   s3cret ")]
    public void The_scheme_is_case_insensitive_and_spacing_is_forgiven(string header) => BearerToken.Matches(header, "s3cret").ShouldBeTrue();

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("Bearer S3cret")]
    [InlineData("Bearer s3cret2")]
    [InlineData("Basic s3cret")]
    [InlineData("ApiKey s3cret")]
    [InlineData("s3cret")]
    public void Anything_else_does_not_match(string? header) => BearerToken.Matches(header, "s3cret").ShouldBeFalse();
}
