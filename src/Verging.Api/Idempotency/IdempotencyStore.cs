using Npgsql;
using NpgsqlTypes;
using Weasel.Postgresql.Tables;

namespace Verging.Api.Idempotency;

/// <summary>A request seen before under the same key: still running, or finished with this response.</summary>
internal sealed record IdempotentRecord(byte[] RequestHash, bool Completed, int Status, string? ContentType, byte[]? Body);

/// <summary>
/// Keys and the first response given under them, in <c>platform.idempotency_keys</c>, shared by every
/// instance. Claiming a key is one INSERT ... ON CONFLICT, so two concurrent requests with the same
/// key can never both run. Keys and responses are kept as <see cref="ReplaySeal"/> makes them: hashed
/// and sealed, readable only with the client's key.
/// </summary>
internal sealed class IdempotencyStore(NpgsqlDataSource dataSource)
{
    public const string Table = "platform.idempotency_keys";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    public static Table Build()
    {
        var table = new Table(Table);
        table.AddColumn<string>("scope").AsPrimaryKey();
        table.AddColumn<string>("idempotency_key").AsPrimaryKey();
        table.AddColumn("request_hash", "bytea").NotNull();
        table.AddColumn<bool>("completed").NotNull();
        table.AddColumn<int>("status").NotNull();
        table.AddColumn<string>("content_type");
        table.AddColumn("body", "bytea");
        table.AddColumn<DateTimeOffset>("created_at").NotNull();
        return table;
    }

    /// <summary>Claims the key for this request; returns null when claimed, or what was there before.</summary>
    public async Task<IdempotentRecord?> ClaimAsync(string scope, string clientKey, byte[] hash, CancellationToken cancellation)
    {
        var key = ReplaySeal.StoredKey(scope, clientKey);
        // An expired claim is forgotten first, so the key can be used again after 24 h.
        await using var batch = new NpgsqlBatch(await dataSource.OpenConnectionAsync(cancellation))
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand($"delete from {Table} where scope = $1 and idempotency_key = $2 and created_at < now() - interval '24 hours'")
                {
                    Parameters = { new() { Value = scope }, new() { Value = key } },
                },
                new NpgsqlBatchCommand(
                    $"insert into {Table} (scope, idempotency_key, request_hash, completed, status, created_at) values ($1, $2, $3, false, 0, now()) " +
                    "on conflict do nothing returning 1")
                {
                    Parameters = { new() { Value = scope }, new() { Value = key }, new() { Value = hash, NpgsqlDbType = NpgsqlDbType.Bytea } },
                },
                new NpgsqlBatchCommand($"select request_hash, completed, status, content_type, body from {Table} where scope = $1 and idempotency_key = $2")
                {
                    Parameters = { new() { Value = scope }, new() { Value = key } },
                },
            },
        };
        await using var connection = batch.Connection!;
        await using var reader = await batch.ExecuteReaderAsync(cancellation);
        var claimed = await reader.ReadAsync(cancellation);
        await reader.NextResultAsync(cancellation);
        if (claimed || !await reader.ReadAsync(cancellation))
        {
            return null;
        }

        return new IdempotentRecord(
            (byte[])reader[0], reader.GetBoolean(1), reader.GetInt32(2),
            reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : ReplaySeal.Open(scope, clientKey, (byte[])reader[4]));
    }

    public async Task CompleteAsync(string scope, string clientKey, int status, string? contentType, byte[] body, CancellationToken cancellation)
    {
        var key = ReplaySeal.StoredKey(scope, clientKey);
        await using var command = dataSource.CreateCommand(
            $"update {Table} set completed = true, status = $3, content_type = $4, body = $5 where scope = $1 and idempotency_key = $2");
        command.Parameters.Add(new NpgsqlParameter { Value = scope });
        command.Parameters.Add(new NpgsqlParameter { Value = key });
        command.Parameters.Add(new NpgsqlParameter { Value = status });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)contentType ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { Value = ReplaySeal.Seal(scope, clientKey, body), NpgsqlDbType = NpgsqlDbType.Bytea });
        await command.ExecuteNonQueryAsync(cancellation);
    }

    /// <summary>Frees the key (the request failed on our side): the client may retry with it.</summary>
    public async Task ReleaseAsync(string scope, string clientKey)
    {
        var key = ReplaySeal.StoredKey(scope, clientKey);
        await using var command = dataSource.CreateCommand($"delete from {Table} where scope = $1 and idempotency_key = $2 and not completed");
        command.Parameters.Add(new NpgsqlParameter { Value = scope });
        command.Parameters.Add(new NpgsqlParameter { Value = key });
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }
}
