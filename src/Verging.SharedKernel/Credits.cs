namespace Verging.SharedKernel;

/// <summary>
/// Money is whole credits, never a float. Purchases convert at $10 = 530 credits,
/// i.e. 53 credits per US dollar.
/// </summary>
public static class CreditMath
{
    public const int CreditsPerUsd = 53;

    /// <summary>Credits bought for an amount in whole US cents, rounded down to a whole credit.</summary>
    public static long CreditsForUsdCents(long cents) => cents * CreditsPerUsd / 100;

    /// <summary>Integer ceiling division for non-negative values, the rounding every price uses.</summary>
    public static long CeilDiv(long numerator, long denominator) =>
        numerator <= 0 ? 0 : ((numerator - 1) / denominator) + 1;
}
