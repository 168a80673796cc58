using Verging.SharedKernel;
using Verging.SharedKernel.Validation;

namespace Verging.UnitTests.SharedKernel;

public sealed class SharedKernelTests
{
    [Theory]
    [InlineData(400, 40000)]
    [InlineData(401, 40100)]
    [InlineData(404, 40400)]
    [InlineData(413, 41300)]
    [InlineData(429, 42900)]
    [InlineData(500, 50000)]
    [InlineData(503, 50300)]
    public void Error_codes_are_status_times_100(int status, int code) => ErrorCodes.ForStatus(status).ShouldBe(code);

    [Fact]
    public void Insufficient_credits_reads_as_the_reference_example()
    {
        var error = ApiError.InsufficientCredits(5, 2);
        error.Status.ShouldBe(402);
        error.ErrorCode.ShouldBe(40001);
        error.Message.ShouldBe("Insufficient credits. Required: 5, available: 2");
    }

    [Theory]
    [InlineData(1000, 530)]
    [InlineData(100, 53)]
    [InlineData(2000, 1060)]
    [InlineData(1, 0)]
    public void Purchases_convert_ten_dollars_to_530_credits(long cents, long credits) =>
        CreditMath.CreditsForUsdCents(cents).ShouldBe(credits);

    [Theory]
    [InlineData(0, 10, 0)]
    [InlineData(1, 10, 1)]
    [InlineData(10, 10, 1)]
    [InlineData(11, 10, 2)]
    [InlineData(10_001, 10_000, 2)]
    public void Ceiling_division_rounds_up(long numerator, long denominator, long expected) =>
        CreditMath.CeilDiv(numerator, denominator).ShouldBe(expected);

    [Fact]
    public void Validation_messages_name_each_field()
    {
        RequestValidation.Describe([("name", "too long"), ("expires_at", "must be in the future")])
            .ShouldBe("name: too long; expires_at: must be in the future");
    }
}
