namespace Verging.IntegrationTests.Infrastructure;

/// <summary>Rate-limit windows are a minute long by default: a test straddling two would be admitted twice.</summary>
public static class RateWindows
{
    /// <summary>Waits for the next window when less than 15 s of the current one are left.</summary>
    public static async Task AwayFromABoundaryAsync()
    {
        var intoWindow = TimeSpan.FromTicks(DateTimeOffset.UtcNow.UtcTicks % TimeSpan.FromMinutes(1).Ticks);
        if (intoWindow > TimeSpan.FromSeconds(45))
        {
            await Task.Delay(TimeSpan.FromMinutes(1) - intoWindow + TimeSpan.FromMilliseconds(200));
        }
    }
}
