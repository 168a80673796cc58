using JasperFx.CommandLine;
using Marten;
using Marten.Events;
using Verging.Credits.Audit;

namespace Verging.Api.Cli;

public sealed class CreditsInput : NetCoreInput
{
    [Description("audit: replay every ledger and compare with the read models; rebuild: rebuild the read models from the events")]
    public string Action { get; set; } = "audit";

    [Description("Audit only this account id")]
    public string AccountFlag { get; set; } = string.Empty;
}

/// <summary>
/// <c>credits audit [--account &lt;id&gt;]</c> prints a per-account table of every mismatch between
/// the replayed ledger and its read models and exits non-zero when any exist;
/// <c>credits rebuild</c> rebuilds those read models from the events.
/// </summary>
[Description("Audit or rebuild the credit ledger: 'credits audit [--account <id>]', 'credits rebuild'", Name = "credits")]
public sealed class CreditsCommand : JasperFxAsyncCommand<CreditsInput>
{
    public override async Task<bool> Execute(CreditsInput input)
    {
        if (!CommandHost.TryParseAccount(input.AccountFlag, out var account))
        {
            return false;
        }

        return await CommandHost.RunAsync(input, services => input.Action.ToLowerInvariant() switch
        {
            "audit" => AuditAsync(services, account),
            "rebuild" => RebuildAsync(services),
            _ => UnknownAsync(input.Action),
        });
    }

    private static async Task<bool> AuditAsync(IServiceProvider services, Guid? account)
    {
        var report = await services.GetRequiredService<LedgerAudit>().RunAsync(account, CancellationToken.None);
        var mismatches = report.Mismatches.ToList();

        Console.WriteLine($"Audited {report.Rows.Count} ledger(s); {mismatches.Count} with mismatches.");
        if (mismatches.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine("| account | events | replay balance/frozen | document balance/frozen | transactions balance/frozen | problems |");
            Console.WriteLine("|---|---|---|---|---|---|");
            foreach (var row in mismatches)
            {
                Console.WriteLine($"| {row.AccountId} | {row.Events} | {row.ReplayedBalance}/{row.ReplayedFrozen} | " +
                                  $"{row.DocumentBalance}/{row.DocumentFrozen} | {row.EntriesBalance}/{row.EntriesFrozen} | {string.Join("; ", row.Problems)} |");
            }
        }

        return mismatches.Count == 0;
    }

    private static async Task<bool> RebuildAsync(IServiceProvider services)
    {
        var count = await services.GetRequiredService<LedgerRebuild>().RunAsync(CancellationToken.None);
        Console.WriteLine($"Rebuilt the read models of {count} ledger(s) from their events.");
        return true;
    }

    private static async Task<bool> UnknownAsync(string action)
    {
        await Console.Error.WriteLineAsync($"Unknown action '{action}'. Use: credits audit [--account <id>] | credits rebuild");
        return false;
    }
}
