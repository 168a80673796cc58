using System.Globalization;
using Alba;
using JasperFx.CommandLine;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Verging.Credits.Contracts;
using Wolverine;

namespace Verging.Bench.Ledger;

// Freeze+settle pairs through the same path the API uses (IMessageBus.InvokeAsync → handler →
// LedgerWriter), with N concurrent callers over M accounts for a bounded time, on the database in
// VERGING_BENCH_PG (durable: fsync and synchronous_commit on). Prints a markdown row.
internal static class LedgerBench
{
    public static async Task<int> Main(string[] args)
    {
        var settings = BenchSettings.Parse(args);
        var connectionString = Environment.GetEnvironmentVariable("VERGING_BENCH_PG")
            ?? throw new InvalidOperationException("Set VERGING_BENCH_PG to a connection string of an empty database (bench/ledger/run.sh does).");

        JasperFxEnvironment.AutoStartHost = true;
        // WebApplicationFactory looks for the app's folder next to a solution; the build output will do.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_VERGING_API", AppContext.BaseDirectory);
        await using var host = await AlbaHost.For<global::Program>(builder =>
        {
            builder.UseEnvironment(settings.Environment);
            builder.UseSetting("ConnectionStrings:Postgres", connectionString);
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        });

        var bus = host.Services.GetRequiredService<IMessageBus>();
        var accounts = Enumerable.Range(0, settings.Accounts).Select(_ => Guid.CreateVersion7()).ToArray();
        foreach (var account in accounts)
        {
            await bus.InvokeAsync<GrantOutcome>(new GrantCredits(account, settings.StartingCredits, "bench", $"bench:{account}"));
        }

        using var writerStats = new WriterStats();
        var pairs = new PairRunner(host.Services, accounts, settings);
        await pairs.RunAsync(TimeSpan.FromSeconds(settings.WarmupSeconds), record: false);
        writerStats.Reset();
        var cpuBefore = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        var result = await pairs.RunAsync(TimeSpan.FromSeconds(settings.Seconds), record: true);
        // CPU of this process (host, writer, Wolverine, async projections) per pair: steadier than throughput on a shared machine.
        var cpuPerPairMs = (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds / Math.Max(1, result.Pairs);
        var batches = writerStats.Snapshot();

        // Every pair consumed exactly PairCost: the balances must say so (nothing lost, nothing doubled).
        await using (var query = host.Services.GetRequiredService<IDocumentStore>().QuerySession())
        {
            var ledgers = await query.LoadManyAsync<Verging.Credits.Ledger.Ledger>(accounts);
            var consumed = ledgers.Sum(l => settings.StartingCredits - l.Balance);
            var frozen = ledgers.Sum(l => l.Frozen);
            if (consumed != pairs.TotalPairs * PairRunner.PairCost || frozen != 0)
            {
                Console.Error.WriteLine($"LEDGER MISMATCH: consumed {consumed}, expected {pairs.TotalPairs * PairRunner.PairCost}; frozen {frozen}");
                return 1;
            }
        }

        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv,
            $"| {settings.Name} | {settings.Accounts} | {settings.Callers} | {result.Pairs} | {result.PairsPerSecond:F0} | " +
            $"{result.Freeze.P50:F2} | {result.Freeze.P99:F2} | {result.Settle.P50:F2} | {result.Settle.P99:F2} | " +
            $"{batches.Batches} | {batches.MeanCommands:F1} | {batches.MeanCommitMs:F2} | {cpuPerPairMs:F2} | {result.Errors} |"));
        Console.Error.WriteLine("phases (mean ms per attempt): " + string.Join(", ", batches.MeanPhaseMs.Select(p => string.Create(inv, $"{p.Key} {p.Value:F2}"))));
        return result.Errors == 0 ? 0 : 1;
    }
}
