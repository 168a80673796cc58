using System.Text.Json;
using System.Text.Json.Nodes;

namespace Verging.AiProxy.Providers.OpenAi;

/// <summary>
/// Reads fields of a provider's answer that may not be what the wire format promises (a number where text
/// belongs, fractional or negative token counts, base64 that is not). Such an answer is the provider's
/// failure, a 502 that releases the hold, never a 500 that leaves it frozen.
/// </summary>
internal static class WireAnswer
{
    /// <summary>Runs <paramref name="read"/>; a field of the wrong shape becomes a <see cref="ProviderException"/> naming <paramref name="what"/>.</summary>
    public static T Read<T>(string what, JsonNode? answer, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or JsonException or OverflowException)
        {
            throw Malformed(what, answer, e);
        }
    }

    /// <summary>A token count: absent is null, anything but a whole non-negative number is malformed.</summary>
    public static long? Tokens(JsonNode? node)
    {
        if (node is null)
        {
            return null;
        }

        var value = node.GetValue<long>();
        return value >= 0 ? value : throw new FormatException("a negative token count");
    }

    public static ProviderException Malformed(string what, JsonNode? answer, Exception? inner = null) =>
        new(ProviderFailure.UpstreamError, $"The provider's {what} is malformed", null, answer, inner);
}
