namespace Verging.AiProxy.RateLimits;

/// <summary>Requests per window per account and service (configuration section <c>AiProxy:RateLimits</c>).</summary>
public sealed class RateLimitOptions
{
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Per service (imagegen, chat, tts, stt, vision); services not listed use <see cref="DefaultLimit"/>.</summary>
    public Dictionary<string, int> Limits { get; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["chat"] = 600,
        ["vision"] = 120,
        ["imagegen"] = 60,
        ["tts"] = 120,
        ["stt"] = 60,
    };

    public int DefaultLimit { get; set; } = 120;

    public int LimitFor(string service) => Limits.TryGetValue(service, out var limit) ? limit : DefaultLimit;
}
