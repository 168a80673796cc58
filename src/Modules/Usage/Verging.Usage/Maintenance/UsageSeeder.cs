using Npgsql;
using NpgsqlTypes;
using Verging.AiProxy.Contracts;
using Verging.Jobs.Contracts;
using Verging.Usage.Recording;

namespace Verging.Usage.Maintenance;

/// <summary>What <see cref="UsageSeeder"/> made: the accounts, the big one first.</summary>
public sealed record SeedResult(IReadOnlyList<Guid> Accounts, long Records, TimeSpan Elapsed);

/// <summary>
/// Makes benchmark data: <c>records</c> contracts spread over <c>accounts</c> accounts and the last
/// <c>days</c> days, written to the usage log with binary COPY and projected by a rebuild, exactly
/// as if they had been received. The first account (optionally a real one, so its API key can query
/// it) gets <c>bigAccountRecords</c> of them, the others share the rest.
/// </summary>
public sealed class UsageSeeder(NpgsqlDataSource dataSource, UsageRebuild rebuild, TimeProvider clock)
{
    private static readonly string[] Models = ["gpt-4o", "gpt-4o-mini", "gpt-image-1", "tts-1-hd", "whisper-1"];

    public async Task<SeedResult> SeedAsync(
        long records, int accounts, long bigAccountRecords, Guid? bigAccount, int days, CancellationToken cancellation)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(accounts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(days, 1);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var random = new Random(20261201);
        var owners = Enumerable.Range(0, accounts).Select(i => i == 0 && bigAccount is { } real ? real : Guid.NewGuid()).ToList();
        var keys = owners.ToDictionary(a => a, _ => new[] { Guid.NewGuid(), Guid.NewGuid() });
        var big = Math.Min(bigAccountRecords, records);
        var perOther = accounts == 1 ? 0 : (records - big) / (accounts - 1);
        var now = clock.GetUtcNow();

        await using (var connection = await dataSource.OpenConnectionAsync(cancellation))
        await using (var copy = await connection.BeginBinaryImportAsync(
            $"copy {UsageTables.ReceivedEvents} (source_id, attempt, event_type, payload, received_at) from stdin (format binary)", cancellation))
        {
            for (var a = 0; a < accounts; a++)
            {
                var count = a == 0 ? big + (accounts == 1 ? 0 : records - big - (perOther * (accounts - 1))) : perOther;
                for (long i = 0; i < count; i++)
                {
                    var at = now - TimeSpan.FromSeconds(random.NextDouble() * days * 86_400);
                    var received = Contract(random, owners[a], keys[owners[a]][random.Next(2)], at);
                    await copy.StartRowAsync(cancellation);
                    await copy.WriteAsync(received.SourceId, NpgsqlDbType.Uuid, cancellation);
                    await copy.WriteAsync(received.Attempt, NpgsqlDbType.Integer, cancellation);
                    await copy.WriteAsync(received.EventType, NpgsqlDbType.Varchar, cancellation);
                    await copy.WriteAsync(UsageProjection.Serialize(received), NpgsqlDbType.Jsonb, cancellation);
                    await copy.WriteAsync(at, NpgsqlDbType.TimestampTz, cancellation);
                }
            }

            await copy.CompleteAsync(cancellation);
        }

        var total = await rebuild.RunAsync(cancellation);
        await using (var analyze = dataSource.CreateCommand($"vacuum analyze {UsageTables.Records}"))
        {
            analyze.CommandTimeout = 0;
            await analyze.ExecuteNonQueryAsync(cancellation);
        }

        return new SeedResult(owners, total, started.Elapsed);
    }

    /// <summary>A plausible mix: mostly chat, some vision, images, speech and transcription, a few jobs, ~3% failures.</summary>
    private static ReceivedUsageEvent Contract(Random random, Guid account, Guid apiKey, DateTimeOffset at)
    {
        var id = Guid.NewGuid();
        var latency = (long)(150 + (Math.Exp(random.NextDouble() * 3) * 150));
        var roll = random.NextDouble();
        if (roll >= 0.95)
        {
            var attempt = random.NextDouble() < 0.9 ? 1 : 2;
            var failed = random.NextDouble() < 0.05;
            var seconds = Math.Round(random.NextDouble() * 60, 1) + 1;
            return UsageProjection.Received(new JobAttemptEnded(
                id, account, apiKey, JobTypes.All[random.Next(JobTypes.All.Count)], failed ? "failed" : "completed", attempt,
                failed ? 0 : (long)Math.Ceiling(seconds), seconds, latency * 20, failed ? "the worker failed" : null, at));
        }

        var service = roll switch { < 0.45 => "chat", < 0.60 => "vision", < 0.72 => "imagegen", < 0.84 => "tts", _ => "stt" };
        if (random.NextDouble() < 0.03)
        {
            return UsageProjection.Received(new AiRequestFailed(
                id, account, apiKey, service, Models[random.Next(Models.Length)], "upstream_error", 50200, latency, at));
        }

        long input = 0, output = 0, credits;
        double units = 0;
        switch (service)
        {
            case "chat" or "vision":
                input = random.Next(20, 3000);
                output = random.Next(10, 1000);
                credits = (service == "vision" ? 1 : 0) + Math.Max(1, (input + (2 * output) + 9_999) / 10_000);
                break;
            case "imagegen":
                units = random.Next(1, 5);
                credits = (long)units * 3;
                break;
            case "tts":
                units = random.Next(10, 4096);
                credits = Math.Max(1, (long)Math.Ceiling(2 * units / 1000));
                break;
            default:
                units = Math.Round(random.NextDouble() * 600, 1);
                credits = Math.Max(1, (long)Math.Ceiling(units / 60));
                break;
        }

        return UsageProjection.Received(new AiRequestCompleted(
            id, account, apiKey, service, Models[random.Next(Models.Length)], input, output, units, credits, latency, at));
    }
}
