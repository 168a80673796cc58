using Npgsql;
using NpgsqlTypes;
using Verging.Usage.Recording;

namespace Verging.Usage.Maintenance;

/// <summary>
/// Rebuilds <c>usage.records</c> (and the counts) from the usage log alone, through the same
/// <see cref="UsageProjection"/> as live recording, so the result equals the live read model.
/// Safe while the service runs: the table is truncated and refilled in one transaction, and a
/// contract recorded meanwhile waits for the table's lock and lands after the refill (its log row is
/// not in the snapshot the refill reads, so it is neither lost nor doubled).
/// </summary>
public sealed class UsageRebuild(NpgsqlDataSource dataSource)
{
    public const string RecordColumns =
        "id, source_id, attempt, kind, account_id, api_key_id, service_type, model, status, error_code, " +
        "credits_consumed, input_tokens, output_tokens, units, latency_ms, created_at";

    /// <summary>Returns the number of records rebuilt.</summary>
    public async Task<long> RunAsync(CancellationToken cancellation)
    {
        await using var target = await dataSource.OpenConnectionAsync(cancellation);
        await using var transaction = await target.BeginTransactionAsync(cancellation);
        await using (var truncate = new NpgsqlCommand($"truncate {UsageTables.Records}, {UsageTables.RecordCounts}", target, transaction))
        {
            await truncate.ExecuteNonQueryAsync(cancellation);
        }

        // Read on a second connection, after the lock is held: see the class comment.
        await using var source = await dataSource.OpenConnectionAsync(cancellation);
        await using var read = new NpgsqlCommand(
            $"select id, event_type, payload::text from {UsageTables.ReceivedEvents} order by id", source) { CommandTimeout = 0 };
        await using var log = await read.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellation);

        long count = 0;
        await using (var copy = await target.BeginBinaryImportAsync(
            $"copy {UsageTables.Records} ({RecordColumns}) from stdin (format binary)", cancellation))
        {
            while (await log.ReadAsync(cancellation))
            {
                var id = log.GetInt64(0);
                var type = log.GetString(1);
                var received = UsageProjection.Deserialize(type, log.GetString(2));
                await WriteAsync(copy, UsageProjection.Project(id, received), cancellation);
                count++;
            }

            await copy.CompleteAsync(cancellation);
        }

        await using (var counts = new NpgsqlCommand(
            $"insert into {UsageTables.RecordCounts} (account_id, kind, service_type, shard, records) " +
            $"select account_id, kind, service_type, {UsageTables.CountShardOfSourceId}, count(*) from {UsageTables.Records} group by 1, 2, 3, 4",
            target, transaction) { CommandTimeout = 0 })
        {
            await counts.ExecuteNonQueryAsync(cancellation);
        }

        await transaction.CommitAsync(cancellation);
        return count;
    }

    internal static async Task WriteAsync(NpgsqlBinaryImporter copy, UsageRecord r, CancellationToken cancellation)
    {
        await copy.StartRowAsync(cancellation);
        await copy.WriteAsync(r.Id, NpgsqlDbType.Bigint, cancellation);
        await copy.WriteAsync(r.SourceId, NpgsqlDbType.Uuid, cancellation);
        await copy.WriteAsync(r.Attempt, NpgsqlDbType.Integer, cancellation);
        await copy.WriteAsync(r.Kind, NpgsqlDbType.Varchar, cancellation);
        await copy.WriteAsync(r.AccountId, NpgsqlDbType.Uuid, cancellation);
        await copy.WriteAsync(r.ApiKeyId, NpgsqlDbType.Uuid, cancellation);
        await copy.WriteAsync(r.ServiceType, NpgsqlDbType.Varchar, cancellation);
        await copy.WriteAsync(r.Model, NpgsqlDbType.Varchar, cancellation);
        await copy.WriteAsync(r.Status, NpgsqlDbType.Varchar, cancellation);
        if (r.ErrorCode is { } code)
        {
            await copy.WriteAsync(code, NpgsqlDbType.Integer, cancellation);
        }
        else
        {
            await copy.WriteNullAsync(cancellation);
        }

        await copy.WriteAsync(r.CreditsConsumed, NpgsqlDbType.Bigint, cancellation);
        await copy.WriteAsync(r.InputTokens, NpgsqlDbType.Bigint, cancellation);
        await copy.WriteAsync(r.OutputTokens, NpgsqlDbType.Bigint, cancellation);
        await copy.WriteAsync(r.Units, NpgsqlDbType.Double, cancellation);
        await copy.WriteAsync(r.LatencyMs, NpgsqlDbType.Bigint, cancellation);
        await copy.WriteAsync(r.CreatedAt, NpgsqlDbType.TimestampTz, cancellation);
    }
}
