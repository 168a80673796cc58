using System.Globalization;
using System.Text.RegularExpressions;

namespace Verging.SharedKernel.Http;

/// <summary>
/// Timestamps in query strings: ISO 8601 only (a date, or a date and time with optional seconds, fraction
/// and offset; no offset means UTC). DateTimeOffset.TryParse alone also reads "Dec 1 2026" or "1/12/2026",
/// whose meaning depends on who wrote them; the error message promises ISO 8601, so only that is taken.
/// </summary>
public static partial class IsoTime
{
    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        value = default;
        return text is not null && Shape().IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value);
    }

    /// <summary>The form every timestamp of ours is written in, in JSON and in CSV alike.</summary>
    public static string Format(DateTimeOffset value) =>
        value.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?([Zz]|[+-]\d{2}(:?\d{2})?)?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
