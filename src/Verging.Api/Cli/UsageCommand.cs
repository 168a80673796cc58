using System.Globalization;
using JasperFx.CommandLine;
using Verging.Usage.Maintenance;

namespace Verging.Api.Cli;

public sealed class UsageInput : NetCoreInput
{
    [Description("rebuild: rebuild the usage read model from the usage log; seed: make benchmark data; lag: measure projection lag")]
    public string Action { get; set; } = "rebuild";

    [Description("seed: how many usage records (default 1000000)")]
    public long RecordsFlag { get; set; } = 1_000_000;

    [Description("seed, lag: over how many accounts (default 100)")]
    public int AccountsFlag { get; set; } = 100;

    [Description("seed: records of the first (big) account (default 100000)")]
    public long BigAccountRecordsFlag { get; set; } = 100_000;

    [Description("seed: use this existing account id as the big account (so its API key can query it)")]
    public string AccountFlag { get; set; } = string.Empty;

    [Description("seed: spread the records over this many past days (default 90)")]
    public int DaysFlag { get; set; } = 90;

    [Description("lag: how many requests to publish (default 10000)")]
    public int MessagesFlag { get; set; } = 10_000;

    [Description("lag: requests per second (default 500)")]
    public int RateFlag { get; set; } = 500;
}

/// <summary>
/// <c>usage rebuild</c> rebuilds <c>usage.records</c> from the usage log; <c>usage seed</c> makes
/// benchmark data (<c>--records 1000000 --accounts 100 [--account &lt;id&gt;]</c>); <c>usage lag</c>
/// publishes requests at a steady rate and reports how long their records take to become visible.
/// </summary>
[Description("Usage read models: 'usage rebuild', 'usage seed --records N --accounts N [--account <id>]', 'usage lag --messages N --rate N'", Name = "usage")]
public sealed class UsageCommand : JasperFxAsyncCommand<UsageInput>
{
    public override async Task<bool> Execute(UsageInput input)
    {
        if (!CommandHost.TryParseAccount(input.AccountFlag, out var account))
        {
            return false;
        }

        return await CommandHost.RunAsync(input, async services =>
        {
            switch (input.Action.ToLowerInvariant())
            {
                case "rebuild":
                    var rebuilt = await services.GetRequiredService<UsageRebuild>().RunAsync(CancellationToken.None);
                    Console.WriteLine($"Rebuilt {rebuilt} usage record(s) from the usage log.");
                    return true;
                case "seed":
                    var seeded = await services.GetRequiredService<UsageSeeder>().SeedAsync(
                        input.RecordsFlag, input.AccountsFlag, input.BigAccountRecordsFlag, account, input.DaysFlag, CancellationToken.None);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"Seeded {seeded.Records} usage record(s) over {seeded.Accounts.Count} account(s) in {seeded.Elapsed.TotalSeconds:0.0} s."));
                    Console.WriteLine($"Big account: {seeded.Accounts[0]}");
                    return true;
                case "lag":
                    var lag = await services.GetRequiredService<ProjectionLagProbe>().RunAsync(input.MessagesFlag, input.RateFlag, input.AccountsFlag, CancellationToken.None);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"Projection lag over {lag.Seen}/{lag.Published} requests at {lag.RatePerSecond}/s: " +
                        $"p50 {lag.P50Ms} ms, p95 {lag.P95Ms} ms, p99 {lag.P99Ms} ms, max {lag.MaxMs} ms"));
                    return lag.Seen == lag.Published;
                default:
                    await Console.Error.WriteLineAsync($"Unknown action '{input.Action}'. Use: usage rebuild | usage seed [...] | usage lag [...]");
                    return false;
            }
        });
    }
}
