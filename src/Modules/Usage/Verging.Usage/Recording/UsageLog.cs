using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Verging.Usage.Recording;

/// <summary>
/// Appends a received contract to the usage log, projects its record and counts it, in one statement
/// (so in one transaction): all of it happens or none of it. A contract whose source is already logged inserts
/// nothing, which is how an at-least-once redelivery leaves exactly one record.
/// Appends that arrive together are committed together (one transaction, one round trip, one
/// fsync for all of them, as the ledger writer does); each caller is answered after the commit.
/// </summary>
public sealed class UsageLog(NpgsqlDataSource dataSource, TimeProvider clock, ILogger<UsageLog> logger)
{
    private const int MaxBatch = 256;

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

    private readonly Channel<(ReceivedUsageEvent Received, TaskCompletionSource<bool> Answer)> _pending =
        Channel.CreateUnbounded<(ReceivedUsageEvent, TaskCompletionSource<bool>)>(new UnboundedChannelOptions { SingleReader = true });

    private readonly Lock _starting = new();
    private Task? _loop;

    /// <summary>Returns false when this source was already recorded (a redelivery): nothing changed.</summary>
    public async Task<bool> AppendAsync(ReceivedUsageEvent received, CancellationToken cancellation)
    {
        var answer = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending.Writer.TryWrite((received, answer));
        if (_loop is null)
        {
            lock (_starting)
            {
                // One loop per process, started by the first append; it lives as long as the service.
                _loop ??= Task.Run(RunAsync, CancellationToken.None);
            }
        }

        return await answer.Task.WaitAsync(cancellation);
    }

    private async Task RunAsync()
    {
        var batch = new List<(ReceivedUsageEvent Received, TaskCompletionSource<bool> Answer)>(MaxBatch);
        while (await _pending.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _pending.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            try
            {
                var recorded = await CommitAsync(batch.Select(b => b.Received).ToList());
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Answer.TrySetResult(recorded[i]);
                }
            }
            catch (Exception e) when (batch.Count > 1)
            {
                // One bad event (or a deadlock with another instance's batch) must not fail the
                // others: each is tried again on its own, and only its own failure is reported.
                logger.LogInformation("A usage batch of {Count} failed ({Error}); appending one by one", batch.Count, e.GetType().Name);
                foreach (var (received, answer) in batch)
                {
                    try
                    {
                        answer.TrySetResult((await CommitAsync([received]))[0]);
                    }
                    catch (Exception single)
                    {
                        answer.TrySetException(single);
                    }
                }
            }
            catch (Exception e)
            {
                batch[0].Answer.TrySetException(e);
            }
        }
    }

    private async Task<bool[]> CommitAsync(IReadOnlyList<ReceivedUsageEvent> events)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var received in events)
        {
            batch.BatchCommands.Add(CommandFor(received));
        }

        await batch.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
        return [.. batch.BatchCommands.Cast<NpgsqlBatchCommand>().Select(c => c.RecordsAffected == 1)];
    }

    private NpgsqlBatchCommand CommandFor(ReceivedUsageEvent received)
    {
        var record = UsageProjection.Project(0, received);
        var command = new NpgsqlBatchCommand(Sql);
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
        return command;
    }
}
