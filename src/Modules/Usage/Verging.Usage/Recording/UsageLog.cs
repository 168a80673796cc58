using Npgsql;
using NpgsqlTypes;

namespace Verging.Usage.Recording;

/// <summary>
/// Appends a received contract to the usage log, projects its record and counts it, in one statement
/// (so in one transaction): all of it happens or none of it. A contract whose source is already logged inserts
/// nothing, which is how an at-least-once redelivery leaves exactly one record.
/// </summary>
public sealed class UsageLog(NpgsqlDataSource dataSource, TimeProvider clock)
{
    private const string Sql = $"""
        with logged as (
            insert into {UsageTables.ReceivedEvents} (source_id, attempt, event_type, payload, received_at)
            values ($1, $2, $3, $4, $5)
            on conflict (source_id, attempt) do nothing
            returning id),
        recorded as (
            insert into {UsageTables.Records} (id, source_id, attempt, kind, account_id, api_key_id, service_type, model, status,
            error_code, credits_consumed, input_tokens, output_tokens, units, latency_ms, created_at)
            select id, $1, $2, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18 from logged
            returning source_id, account_id, kind, service_type)
        insert into {UsageTables.RecordCounts} as counted (account_id, kind, service_type, shard, records)
        select account_id, kind, service_type, {UsageTables.CountShardOfSourceId}, 1 from recorded
        on conflict (account_id, kind, service_type, shard) do update set records = counted.records + 1
        """;

    /// <summary>Returns false when this source was already recorded (a redelivery): nothing changed.</summary>
    public async Task<bool> AppendAsync(ReceivedUsageEvent received, CancellationToken cancellation)
    {
        var record = UsageProjection.Project(0, received);
        await using var command = dataSource.CreateCommand(Sql);
        var p = command.Parameters;
        p.Add(new NpgsqlParameter<Guid> { TypedValue = received.SourceId });
        p.Add(new NpgsqlParameter<int> { TypedValue = received.Attempt });
        p.Add(new NpgsqlParameter<string> { TypedValue = received.EventType });
        p.Add(new NpgsqlParameter<string> { TypedValue = UsageProjection.Serialize(received), NpgsqlDbType = NpgsqlDbType.Jsonb });
        p.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = clock.GetUtcNow() });
        p.Add(new NpgsqlParameter<string> { TypedValue = record.Kind });
        p.Add(new NpgsqlParameter<Guid> { TypedValue = record.AccountId });
        p.Add(new NpgsqlParameter<Guid> { TypedValue = record.ApiKeyId });
        p.Add(new NpgsqlParameter<string> { TypedValue = record.ServiceType });
        p.Add(new NpgsqlParameter<string> { TypedValue = record.Model });
        p.Add(new NpgsqlParameter<string> { TypedValue = record.Status });
        p.Add(new NpgsqlParameter { Value = (object?)record.ErrorCode ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        p.Add(new NpgsqlParameter<long> { TypedValue = record.CreditsConsumed });
        p.Add(new NpgsqlParameter<long> { TypedValue = record.InputTokens });
        p.Add(new NpgsqlParameter<long> { TypedValue = record.OutputTokens });
        p.Add(new NpgsqlParameter<double> { TypedValue = record.Units });
        p.Add(new NpgsqlParameter<long> { TypedValue = record.LatencyMs });
        p.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = record.CreatedAt });
        return await command.ExecuteNonQueryAsync(cancellation) == 1;
    }
}
