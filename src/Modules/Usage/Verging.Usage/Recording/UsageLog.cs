using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Wolverine;

namespace Verging.Usage.Recording;

/// <summary>
/// Appends a received contract to the usage log, projects its record and counts it, in one statement
/// (so in one transaction): all of it happens or none of it. A contract whose source is already logged inserts
/// nothing, which is how an at-least-once redelivery leaves exactly one record.
/// Appends that arrive together are committed together: one set-based statement for all of them
/// (one round trip, as the ledger writer does); each caller is answered after the commit. The same
/// transaction completes the contracts' inbox envelopes (<see cref="InboxCompletions"/>).
/// </summary>
public sealed class UsageLog(NpgsqlDataSource dataSource, InboxCompletions inbox, TimeProvider clock, ILogger<UsageLog> logger)
{
    private const int MaxBatch = 256;

    // Every append of a batch in one statement: the log rows (a source already logged, or twice in
    // the batch, inserts nothing), their records and the count rows.
    private const string Sql = $"""
        with input as (
            select distinct on (source_id, attempt) *
            from unnest($1::uuid[], $2::int[], $3::varchar[], $4::jsonb[], $5::varchar[], $6::uuid[], $7::uuid[], $8::varchar[],
                $9::varchar[], $10::varchar[], $11::int[], $12::bigint[], $13::bigint[], $14::bigint[], $15::float8[], $16::bigint[],
                $17::timestamptz[])
                with ordinality as i(source_id, attempt, event_type, payload, kind, account_id, api_key_id, service_type,
                model, status, error_code, credits_consumed, input_tokens, output_tokens, units, latency_ms, created_at, ord)
            order by source_id, attempt, ord),
        logged as (
            insert into {UsageTables.ReceivedEvents} (source_id, attempt, event_type, payload, received_at)
            select source_id, attempt, event_type, payload, $18 from input order by ord
            on conflict (source_id, attempt) do nothing
            returning id, source_id, attempt),
        recorded as (
            insert into {UsageTables.Records} (id, source_id, attempt, kind, account_id, api_key_id, service_type, model, status,
            error_code, credits_consumed, input_tokens, output_tokens, units, latency_ms, created_at)
            select l.id, i.source_id, i.attempt, i.kind, i.account_id, i.api_key_id, i.service_type, i.model, i.status,
            i.error_code, i.credits_consumed, i.input_tokens, i.output_tokens, i.units, i.latency_ms, i.created_at
            from logged l join input i on i.source_id = l.source_id and i.attempt = l.attempt
            returning source_id, account_id, kind, service_type),
        counted as (
            insert into {UsageTables.RecordCounts} as counted (account_id, kind, service_type, shard, records)
            select account_id, kind, service_type, shard, count(*)
            from (select account_id, kind, service_type, {UsageTables.CountShardOfSourceId} as shard from recorded) as r
            group by account_id, kind, service_type, shard
            on conflict (account_id, kind, service_type, shard) do update set records = counted.records + excluded.records)
        select source_id, attempt from logged
        """;

    private readonly Channel<Pending> _pending = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });

    private readonly Lock _starting = new();
    private Task? _loop;

    /// <summary>
    /// Returns false when this source was already recorded (a redelivery): nothing changed. When
    /// <paramref name="delivery"/> came from a durable queue, its inbox envelope is completed in the
    /// same transaction.
    /// </summary>
    public async Task<bool> AppendAsync(ReceivedUsageEvent received, Envelope? delivery, CancellationToken cancellation)
    {
        var answer = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending.Writer.TryWrite(new Pending(received, InboxCompletions.Completable(delivery), answer));
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
        var batch = new List<Pending>(MaxBatch);
        while (await _pending.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _pending.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            try
            {
                var recorded = await CommitAsync(batch);
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
                foreach (var pending in batch)
                {
                    try
                    {
                        pending.Answer.TrySetResult((await CommitAsync([pending]))[0]);
                    }
                    catch (Exception single)
                    {
                        pending.Answer.TrySetException(single);
                    }
                }
            }
            catch (Exception e)
            {
                batch[0].Answer.TrySetException(e);
            }
        }
    }

    private async Task<bool[]> CommitAsync(IReadOnlyList<Pending> pending)
    {
        var events = pending.Select(p => p.Received).ToList();
        var deliveries = pending.Select(p => p.Delivery).OfType<Envelope>().ToList();
        var records = events.Select(e => UsageProjection.Project(0, e)).ToArray();
        // The commit need not wait for its WAL flush: it also deletes the contracts' inbox rows, so a
        // crash that loses it loses both, and the inbox redelivers what it had recorded, which the
        // log records once. Nothing of usage waits on the disk the ledger's commits wait on.
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand("select set_config('synchronous_commit', 'off', true)"));
        var command = new NpgsqlBatchCommand(Sql);
        batch.BatchCommands.Add(command);
        var p = command.Parameters;
        p.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. events.Select(e => e.SourceId)] });
        p.Add(new NpgsqlParameter<int[]> { TypedValue = [.. events.Select(e => e.Attempt)] });
        p.Add(new NpgsqlParameter<string[]> { TypedValue = [.. events.Select(e => e.EventType)] });
        p.Add(new NpgsqlParameter<string[]> { TypedValue = [.. events.Select(UsageProjection.Serialize)], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        p.Add(new NpgsqlParameter<string[]> { TypedValue = [.. records.Select(r => r.Kind)] });
        p.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. records.Select(r => r.AccountId)] });
        p.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. records.Select(r => r.ApiKeyId)] });
        p.Add(new NpgsqlParameter<string[]> { TypedValue = [.. records.Select(r => r.ServiceType)] });
        p.Add(new NpgsqlParameter<string[]> { TypedValue = [.. records.Select(r => r.Model)] });
        p.Add(new NpgsqlParameter<string[]> { TypedValue = [.. records.Select(r => r.Status)] });
        p.Add(new NpgsqlParameter<int?[]> { TypedValue = [.. records.Select(r => r.ErrorCode)], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
        p.Add(new NpgsqlParameter<long[]> { TypedValue = [.. records.Select(r => r.CreditsConsumed)] });
        p.Add(new NpgsqlParameter<long[]> { TypedValue = [.. records.Select(r => r.InputTokens)] });
        p.Add(new NpgsqlParameter<long[]> { TypedValue = [.. records.Select(r => r.OutputTokens)] });
        p.Add(new NpgsqlParameter<double[]> { TypedValue = [.. records.Select(r => r.Units)] });
        p.Add(new NpgsqlParameter<long[]> { TypedValue = [.. records.Select(r => r.LatencyMs)] });
        p.Add(new NpgsqlParameter<DateTimeOffset[]> { TypedValue = [.. records.Select(r => r.CreatedAt)] });
        p.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = clock.GetUtcNow() });

        if (inbox.Command(deliveries) is { } completion)
        {
            batch.BatchCommands.Add(completion);
        }

        // The statements are one implicit transaction: all of the batch is logged and its envelopes completed, or none of it.
        var logged = new HashSet<(Guid, int)>();
        try
        {
            await using var reader = await batch.ExecuteReaderAsync();
            await reader.NextResultAsync();
            while (await reader.ReadAsync())
            {
                logged.Add((reader.GetGuid(0), reader.GetInt32(1)));
            }
        }
        catch (PostgresException e) when (e.SqlState.StartsWith("22", StringComparison.Ordinal))
        {
            // Refused for its data (a NUL in a contract's text: jsonb cannot hold it, 22P05). With Npgsql 10.0.3 the
            // connection that ran such a batch can answer a later command out of step ("unexpected backend message
            // DataRow"): clearing the pool closes it when it is given back instead of lending it out again.
            dataSource.Clear();
            throw;
        }

        InboxCompletions.Committed(deliveries);

        // A source logged now is reported once, for its first occurrence in the batch.
        return [.. events.Select(e => logged.Remove((e.SourceId, e.Attempt)))];
    }

    private sealed record Pending(ReceivedUsageEvent Received, Envelope? Delivery, TaskCompletionSource<bool> Answer);
}
