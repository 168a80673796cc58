using Verging.SharedKernel;

namespace Verging.AiProxy.Pricing;

/// <summary>
/// The one price table of the AI proxy (API reference, DESIGN.md "Billing rules"). Integer credits only.
/// </summary>
public static class AiPricing
{
    public const long TokensPerUnit = 10_000;
    public const long MinimumAvailableForChat = 5;
    public const int ImageStandardCredits = 3;
    public const int ImageHdCredits = 5;

    /// <summary>
    /// Input tokens an image may add to a vision request (OpenAI: 85 base + 170 per 512 px tile of a
    /// high-detail image, at most ~1,105): counted into the worst case so the hold covers the image.
    /// </summary>
    public const long ImageTokenAllowance = 1_105;

    /// <summary>Chat: 1 credit per 10K input tokens, 2 per 10K output tokens, at least 1.</summary>
    public static long Chat(long inputTokens, long outputTokens) =>
        Math.Max(1, CreditMath.CeilDiv(inputTokens + (2 * outputTokens), TokensPerUnit));

    /// <summary>Vision: 1 credit base + 1 per 10K input + 2 per 10K output tokens.</summary>
    public static long Vision(long inputTokens, long outputTokens) =>
        1 + CreditMath.CeilDiv(inputTokens + (2 * outputTokens), TokensPerUnit);

    /// <summary>Image generation: per image, 3 (standard/auto) or 5 (hd).</summary>
    public static long ImagePerImage(string? quality) =>
        string.Equals(quality, "hd", StringComparison.OrdinalIgnoreCase) ? ImageHdCredits : ImageStandardCredits;

    /// <summary>Text-to-speech: 2 credits per 1K characters, at least 1.</summary>
    public static long Speech(long characters) => Math.Max(1, CreditMath.CeilDiv(2 * characters, 1_000));

    /// <summary>Speech-to-text: 1 credit per started minute of audio, at least 1.</summary>
    public static long Transcription(double seconds) =>
        Math.Max(1, (long)Math.Ceiling(Math.Round(seconds, 3) / 60.0));

    /// <summary>
    /// The most output tokens a hold of <paramref name="holdCredits"/> pays for after the input
    /// (and, for vision, the 1-credit base): used to clamp max_tokens so the worst case fits the hold.
    /// </summary>
    public static long AffordableOutputTokens(long holdCredits, long inputTokens, bool vision)
    {
        var budgetTokens = ((vision ? holdCredits - 1 : holdCredits) * TokensPerUnit) - inputTokens;
        return Math.Max(0, budgetTokens / 2);
    }

    /// <summary>The worst case of a chat or vision request: all of max_tokens generated.</summary>
    public static long WorstCase(long inputTokens, long maxOutputTokens, bool vision) =>
        vision ? Vision(inputTokens, maxOutputTokens) : Chat(inputTokens, maxOutputTokens);
}
