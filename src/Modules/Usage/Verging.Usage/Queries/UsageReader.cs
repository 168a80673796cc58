using System.Text;
using Npgsql;
using NpgsqlTypes;
using Verging.Usage.Recording;

namespace Verging.Usage.Queries;

/// <summary>One usage record as <c>GET /api/v1/ai/usage</c> shows it (the reference's fields, exactly).</summary>
public sealed record UsageRecordView(
    long Id, string ServiceType, long CreditsConsumed, long InputTokens, long OutputTokens, long LatencyMs, string Status, DateTimeOffset CreatedAt);

/// <summary>A page of records, newest first, and how many match in all.</summary>
public sealed record UsagePage(IReadOnlyList<UsageRecordView> Records, long Total, int Page, int PageSize);

/// <summary>
/// Reads <c>usage.records</c> with plain SQL: every query is bounded by the caller's account id
/// first, which is also the leading column of every index, so one account never sees another's.
/// </summary>
public sealed class UsageReader(NpgsqlDataSource dataSource)
{
    private const string Columns = "id, service_type, credits_consumed, input_tokens, output_tokens, latency_ms, status, created_at";

    /// <summary>The page and the total in one round trip (one batch of two statements).</summary>
    public async Task<UsagePage> PageAsync(UsageFilter filter, int page, int pageSize, CancellationToken cancellation)
    {
        var (where, parameters) = AiRecordsWhere(filter);
        await using var connection = await dataSource.OpenConnectionAsync(cancellation);
        await using var batch = new NpgsqlBatch(connection);

        NpgsqlBatchCommand count;
        if (Counted(filter))
        {
            count = CountFromCounters(filter);
        }
        else
        {
            count = new NpgsqlBatchCommand($"select count(*) from {UsageTables.Records} where {where}");
            count.Parameters.AddRange(parameters().ToArray());
        }

        batch.BatchCommands.Add(count);

        // The page's ids come from the index alone (however deep the offset), then only its rows are read.
        var rows = new NpgsqlBatchCommand(
            $"select {Columns} from {UsageTables.Records} where id in (" +
            $"select id from {UsageTables.Records} where {where} order by created_at desc, id desc limit {pageSize} offset {(long)(page - 1) * pageSize}) " +
            "order by created_at desc, id desc");
        rows.Parameters.AddRange(parameters().ToArray());
        batch.BatchCommands.Add(rows);

        await using var reader = await batch.ExecuteReaderAsync(cancellation);
        await reader.ReadAsync(cancellation);
        var total = reader.GetInt64(0);
        await reader.NextResultAsync(cancellation);
        var records = new List<UsageRecordView>(pageSize);
        while (await reader.ReadAsync(cancellation))
        {
            records.Add(ReadView(reader));
        }

        return new UsagePage(records, total, page, pageSize);
    }

    /// <summary>
    /// Streams every matching record, newest first, to <paramref name="write"/> as it comes off the
    /// wire: nothing is buffered beyond one row, however long the range.
    /// </summary>
    public async Task<long> ExportAsync(UsageFilter filter, Func<UsageRecordView, string, Guid, ValueTask> write, CancellationToken cancellation)
    {
        var (where, parameters) = AiRecordsWhere(filter);
        await using var connection = await dataSource.OpenConnectionAsync(cancellation);
        await using var command = new NpgsqlCommand(
            $"select {Columns}, model, api_key_id from {UsageTables.Records} where {where} order by created_at desc, id desc", connection)
        {
            // An export of years of usage may take longer than a query is normally allowed to.
            CommandTimeout = 0,
        };
        command.Parameters.AddRange(parameters().ToArray());
        await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellation);
        long rows = 0;
        while (await reader.ReadAsync(cancellation))
        {
            var view = ReadView(reader);
            await write(view, reader.GetString(8), reader.GetGuid(9));
            rows++;
        }

        return rows;
    }

    /// <summary>Without a time range or key, the total is the account's (per service) count, kept as records are written.</summary>
    private static bool Counted(UsageFilter filter) => filter.From is null && filter.To is null && filter.ApiKeyId is null;

    private static NpgsqlBatchCommand CountFromCounters(UsageFilter filter)
    {
        var command = new NpgsqlBatchCommand(
            $"select coalesce(sum(records), 0)::bigint from {UsageTables.RecordCounts} where account_id = $1 and kind = '{UsageRecord.AiKind}'" +
            (filter.ServiceType is null ? string.Empty : " and service_type = $2"));
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = filter.AccountId });
        if (filter.ServiceType is { } service)
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = service, NpgsqlDbType = NpgsqlDbType.Text });
        }

        return command;
    }

    private static UsageRecordView ReadView(NpgsqlDataReader reader) => new(
        reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5),
        reader.GetString(6), reader.GetFieldValue<DateTimeOffset>(7));

    /// <summary>The WHERE clause of AI usage records for a filter, and a factory of its (fresh) parameters.</summary>
    internal static (string Where, Func<List<NpgsqlParameter>> Parameters) AiRecordsWhere(UsageFilter filter)
    {
        var clause = new StringBuilder($"account_id = $1 and kind = '{UsageRecord.AiKind}'");
        var n = 1;
        if (filter.ServiceType is not null)
        {
            clause.Append(System.Globalization.CultureInfo.InvariantCulture, $" and service_type = ${++n}");
        }

        if (filter.From is not null)
        {
            clause.Append(System.Globalization.CultureInfo.InvariantCulture, $" and created_at >= ${++n}");
        }

        if (filter.To is not null)
        {
            clause.Append(System.Globalization.CultureInfo.InvariantCulture, $" and created_at < ${++n}");
        }

        if (filter.ApiKeyId is not null)
        {
            clause.Append(System.Globalization.CultureInfo.InvariantCulture, $" and api_key_id = ${++n}");
        }

        return (clause.ToString(), () => Parameters(filter));
    }

    private static List<NpgsqlParameter> Parameters(UsageFilter filter)
    {
        var list = new List<NpgsqlParameter> { new NpgsqlParameter<Guid> { TypedValue = filter.AccountId } };
        if (filter.ServiceType is { } service)
        {
            list.Add(new NpgsqlParameter<string> { TypedValue = service, NpgsqlDbType = NpgsqlDbType.Text });
        }

        if (filter.From is { } from)
        {
            list.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = from });
        }

        if (filter.To is { } to)
        {
            list.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = to });
        }

        if (filter.ApiKeyId is { } key)
        {
            list.Add(new NpgsqlParameter<Guid> { TypedValue = key });
        }

        return list;
    }
}
