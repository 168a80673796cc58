using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Verging.IntegrationTests.Infrastructure;

/// <summary>
/// A host for the model-based test: "instant" holds (TTL 0) are due as soon as they are made, so the
/// test can expire them on purpose; and the app's clock runs a day ahead of real time, so the
/// ExpireHold messages the writer schedules at that clock's "now" are a real day away and never fire
/// by themselves during the test. Expiry therefore happens exactly when the test sends it, which
/// keeps a sequential model exact.
/// </summary>
public sealed class ModelHost : VergingHost
{
    public const string Instant = "instant";

    protected override void Configure(IWebHostBuilder builder)
    {
        builder.UseSetting($"Credits:Holds:HoldTtl:{Instant}", "00:00:00");
        builder.ConfigureServices(services => services.AddSingleton<TimeProvider>(new AheadClock(TimeSpan.FromDays(1))));
    }

    private sealed class AheadClock(TimeSpan ahead) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + ahead;
    }
}
