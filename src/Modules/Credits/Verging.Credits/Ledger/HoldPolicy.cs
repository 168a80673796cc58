namespace Verging.Credits.Ledger;

/// <summary>How long a hold may stay unsettled, per purpose (configuration <c>Credits:Holds:HoldTtl:&lt;purpose&gt;</c>, e.g. <c>Credits__Holds__HoldTtl__chat=00:10:00</c>).</summary>
public sealed class HoldPolicy
{
    /// <summary>TTL by purpose; AI calls finish in minutes, media jobs may queue and run for hours.</summary>
    public Dictionary<string, TimeSpan> HoldTtl { get; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["chat"] = TimeSpan.FromMinutes(15),
        ["vision"] = TimeSpan.FromMinutes(15),
        ["imagegen"] = TimeSpan.FromMinutes(15),
        ["tts"] = TimeSpan.FromMinutes(15),
        ["stt"] = TimeSpan.FromMinutes(15),
        ["face-swap"] = TimeSpan.FromHours(6),
        ["video-enhance"] = TimeSpan.FromHours(6),
        ["image-to-video"] = TimeSpan.FromHours(6),
        ["background-removal"] = TimeSpan.FromHours(1),
    };

    public TimeSpan DefaultTtl { get; set; } = TimeSpan.FromHours(1);

    public TimeSpan TtlFor(string purpose) => HoldTtl.TryGetValue(purpose, out var ttl) ? ttl : DefaultTtl;
}
