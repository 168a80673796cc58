using System.Globalization;

namespace Verging.SharedKernel.Http;

/// <summary>Query-string parsing that collects every problem for one 400 answer instead of failing on the first.</summary>
public static class QueryParameters
{
    public static int WholeNumber(string? raw, string name, int fallback, int min, int max, List<string> problems)
    {
        if (raw is null)
        {
            return fallback;
        }

        if (!int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            problems.Add(max == int.MaxValue ? $"{name}: must be a whole number of at least {min}" : $"{name}: must be a whole number from {min} to {max}");
            return fallback;
        }

        return value;
    }

    public static DateTimeOffset? Time(string? raw, string name, List<string> problems)
    {
        if (raw is null)
        {
            return null;
        }

        if (!IsoTime.TryParse(raw, out var value))
        {
            problems.Add($"{name}: must be an ISO-8601 timestamp such as 2026-03-20T10:30:00Z");
            return null;
        }

        return value.ToUniversalTime();
    }
}
