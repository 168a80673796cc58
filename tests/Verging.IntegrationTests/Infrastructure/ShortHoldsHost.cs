using Microsoft.AspNetCore.Hosting;

namespace Verging.IntegrationTests.Infrastructure;

/// <summary>
/// A host whose holds can expire during a test: "instant" holds are due the moment they are made
/// (their scheduled expiry races whatever the test sends), "flash" holds after two seconds.
/// </summary>
public sealed class ShortHoldsHost : VergingHost
{
    public const string Instant = "instant";
    public const string Flash = "flash";
    public static readonly TimeSpan FlashTtl = TimeSpan.FromSeconds(2);

    protected override void Configure(IWebHostBuilder builder)
    {
        builder.UseSetting($"Credits:Holds:HoldTtl:{Instant}", "00:00:00");
        builder.UseSetting($"Credits:Holds:HoldTtl:{Flash}", FlashTtl.ToString("c", System.Globalization.CultureInfo.InvariantCulture));
    }
}

[CollectionDefinition(Name)]
public sealed class ShortHoldsCollection : ICollectionFixture<ShortHoldsHost>
{
    public const string Name = "short holds";
}
