using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Verging.AiProxy.Contracts;
using Verging.Usage.Recording;
using Wolverine;

namespace Verging.Usage.Maintenance;

/// <summary>Projection lag percentiles in milliseconds, and how many contracts were measured.</summary>
public sealed record LagResult(int Published, int Seen, double RatePerSecond, double P50Ms, double P95Ms, double P99Ms, double MaxMs);

/// <summary>
/// Measures projection lag under load: publishes <see cref="AiRequestCompleted"/> at a steady rate
/// through the real bus (durably: a publish returns once the envelope is committed to the inbox) and
/// polls <c>usage.records</c> every few milliseconds; the lag of a request is from its publish
/// returning to the poll that first sees its record. A benchmark tool (<c>usage lag</c>), not a test.
/// </summary>
public sealed class ProjectionLagProbe(IServiceScopeFactory scopes, NpgsqlDataSource dataSource, TimeProvider clock)
{
    private const string ProbeModel = "lag-probe";
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(5);

    public async Task<LagResult> RunAsync(int messages, int ratePerSecond, int accounts, CancellationToken cancellation)
    {
        // Spread over accounts as real traffic is (one account is held to its rate limits).
        var owners = Enumerable.Range(0, Math.Max(1, accounts)).Select(_ => Guid.CreateVersion7()).ToArray();
        var apiKey = Guid.CreateVersion7();
        var committed = new ConcurrentDictionary<Guid, long>();
        var lags = new ConcurrentBag<double>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var poller = PollAsync(await HighestIdAsync(cancellation), committed, lags, messages, stop.Token);

        using var scope = scopes.CreateScope();
        var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();
        var clockStart = Stopwatch.GetTimestamp();
        var publishes = new List<Task>(messages);
        for (var i = 0; i < messages; i++)
        {
            // A steady rate: message i goes out i/rate seconds after the start.
            var due = TimeSpan.FromSeconds((double)i / ratePerSecond) - Stopwatch.GetElapsedTime(clockStart);
            if (due > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(due, cancellation);
            }

            publishes.Add(PublishAsync(bus, owners[i % owners.Length], apiKey, committed));
        }

        await Task.WhenAll(publishes);
        var rate = messages / Stopwatch.GetElapsedTime(clockStart).TotalSeconds;
        var finished = await Task.WhenAny(poller, Task.Delay(TimeSpan.FromSeconds(60), cancellation));
        await stop.CancelAsync();
        if (finished != poller)
        {
            await poller.ContinueWith(_ => { }, TaskScheduler.Default);
        }

        var sorted = lags.Order().ToArray();
        return new LagResult(messages, sorted.Length, Math.Round(rate, 1),
            Percentile(sorted, 0.50), Percentile(sorted, 0.95), Percentile(sorted, 0.99), sorted.Length == 0 ? double.NaN : Math.Round(sorted[^1], 1));
    }

    private async Task PublishAsync(IMessageBus bus, Guid account, Guid apiKey, ConcurrentDictionary<Guid, long> committed)
    {
        var id = Guid.CreateVersion7();
        await bus.PublishAsync(new AiRequestCompleted(id, account, apiKey, "chat", ProbeModel, 100, 50, 0, 1, 10, clock.GetUtcNow()));
        committed[id] = Stopwatch.GetTimestamp();
    }

    private async Task<long> HighestIdAsync(CancellationToken cancellation)
    {
        await using var command = dataSource.CreateCommand($"select coalesce(max(id), 0) from {UsageTables.Records}");
        return (long)(await command.ExecuteScalarAsync(cancellation))!;
    }

    private async Task PollAsync(long startId, ConcurrentDictionary<Guid, long> committed, ConcurrentBag<double> lags, int expected, CancellationToken cancellation)
    {
        var seen = new HashSet<Guid>();
        var pending = new Dictionary<Guid, long>();
        var highestId = startId;
        await using var connection = await dataSource.OpenConnectionAsync(cancellation);
        while (seen.Count < expected && !cancellation.IsCancellationRequested)
        {
            // Ids commit slightly out of order under parallel handlers: look a little behind the highest seen.
            await using var command = new NpgsqlCommand(
                $"select id, source_id from {UsageTables.Records} where id > $1 and model = '{ProbeModel}'", connection);
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = Math.Max(startId, highestId - 1_000) });
            await using (var reader = await command.ExecuteReaderAsync(cancellation))
            {
                // Taken once the answer is here, so a lag is never under-stated by the query's own time.
                var now = Stopwatch.GetTimestamp();
                while (await reader.ReadAsync(cancellation))
                {
                    highestId = Math.Max(highestId, reader.GetInt64(0));
                    var source = reader.GetGuid(1);
                    if (seen.Add(source))
                    {
                        pending[source] = now;
                    }
                }
            }

            Match(pending, committed, lags);
            await Task.Delay(PollInterval, cancellation);
        }

        // The last records may have been seen before their publish calls returned.
        for (var i = 0; i < 100 && pending.Count > 0; i++)
        {
            await Task.Delay(PollInterval, CancellationToken.None);
            Match(pending, committed, lags);
        }
    }

    /// <summary>A record can be seen before its publish call has returned: match them up when both are known.</summary>
    private static void Match(Dictionary<Guid, long> pending, ConcurrentDictionary<Guid, long> committed, ConcurrentBag<double> lags)
    {
        foreach (var (source, visibleAt) in pending.ToList())
        {
            if (committed.TryGetValue(source, out var committedAt))
            {
                lags.Add(Math.Max(0, Stopwatch.GetElapsedTime(committedAt, visibleAt).TotalMilliseconds));
                pending.Remove(source);
            }
        }
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : Math.Round(sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)], 1);
}
