using Npgsql;
using NpgsqlTypes;
using Weasel.Postgresql.Tables;

namespace Verging.Api.Idempotency;

/// <summary>A request seen before under the same key: still running, or finished with this response.</summary>
internal sealed record IdempotentRecord(byte[] RequestHash, bool Completed, int Status, string? ContentType, byte[]? Body, string? Headers = null);

/// <summary>
/// Keys and the first response given under them, in <c>platform.idempotency_keys</c>, shared by every
/// instance. Claiming a key is one INSERT ... ON CONFLICT, so two concurrent requests with the same
/// key can never both run. Keys and responses are kept as <see cref="ReplaySeal"/> makes them: hashed
/// and sealed, readable only with the client's key.
/// A claim is leased: the instance running the request renews it (<see cref="RenewEvery"/>) until the
/// response is kept or the key freed, so the claim of an instance that died mid-request lapses within
/// <see cref="ClaimLease"/> and a retry runs, instead of answering 409 for a day.
/// </summary>
internal sealed class IdempotencyStore(NpgsqlDataSource dataSource)
{
    public const string Table = "platform.idempotency_keys";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);
    public static readonly TimeSpan ClaimLease = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(10);

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
        // Response headers that are part of the answer (what an srt transcript cost), "Name: value" lines.
        table.AddColumn<string>("headers");
        table.AddColumn<DateTimeOffset>("created_at").NotNull();
        // Until when the claim of a request still running holds (null once its response is kept).
        table.AddColumn<DateTimeOffset>("lease_until");
        return table;
    }

    /// <summary>Claims the key for this request; returns null when claimed, or what was there before.</summary>
    public async Task<IdempotentRecord?> ClaimAsync(string scope, string clientKey, byte[] hash, CancellationToken cancellation)
    {
        var key = ReplaySeal.StoredKey(scope, clientKey);
        // Forgotten first: a key older than 24 h, and the claim of a request whose instance stopped renewing it
        // (it died mid-request: nothing will ever be kept under that claim).
        await using var batch = new NpgsqlBatch(await dataSource.OpenConnectionAsync(cancellation))
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand(
                    $"delete from {Table} where scope = $1 and idempotency_key = $2 " +
                    "and (created_at < now() - interval '24 hours' or (not completed and lease_until < now()))")
                {
                    Parameters = { new() { Value = scope }, new() { Value = key } },
                },
                new NpgsqlBatchCommand(
                    $"insert into {Table} (scope, idempotency_key, request_hash, completed, status, created_at, lease_until) " +
                    "values ($1, $2, $3, false, 0, now(), now() + $4) on conflict do nothing returning 1")
                {
                    Parameters =
                    {
                        new() { Value = scope }, new() { Value = key }, new() { Value = hash, NpgsqlDbType = NpgsqlDbType.Bytea },
                        new() { Value = ClaimLease },
                    },
                },
                new NpgsqlBatchCommand($"select request_hash, completed, status, content_type, body, headers from {Table} where scope = $1 and idempotency_key = $2")
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
            reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : ReplaySeal.Open(scope, clientKey, (byte[])reader[4]),
            reader.IsDBNull(5) ? null : reader.GetString(5));
    }

    public async Task CompleteAsync(string scope, string clientKey, int status, string? contentType, byte[] body, string? headers, CancellationToken cancellation)
    {
        var key = ReplaySeal.StoredKey(scope, clientKey);
        await using var command = dataSource.CreateCommand(
            $"update {Table} set completed = true, status = $3, content_type = $4, body = $5, headers = $6, lease_until = null where scope = $1 and idempotency_key = $2");
        command.Parameters.Add(new NpgsqlParameter { Value = scope });
        command.Parameters.Add(new NpgsqlParameter { Value = key });
        command.Parameters.Add(new NpgsqlParameter { Value = status });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)contentType ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { Value = ReplaySeal.Seal(scope, clientKey, body), NpgsqlDbType = NpgsqlDbType.Bytea });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)headers ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        await command.ExecuteNonQueryAsync(cancellation);
    }

    /// <summary>Keeps the claim of a request that is still running for another <see cref="ClaimLease"/>.</summary>
    public async Task RenewAsync(string scope, string clientKey, CancellationToken cancellation)
    {
        await using var command = dataSource.CreateCommand(
            $"update {Table} set lease_until = now() + $3 where scope = $1 and idempotency_key = $2 and not completed");
        command.Parameters.Add(new NpgsqlParameter { Value = scope });
        command.Parameters.Add(new NpgsqlParameter { Value = ReplaySeal.StoredKey(scope, clientKey) });
        command.Parameters.Add(new NpgsqlParameter { Value = ClaimLease });
        await command.ExecuteNonQueryAsync(cancellation);
    }

    /// <summary>Renews the claim every <see cref="RenewEvery"/> until <paramref name="running"/> is cancelled.</summary>
    public async Task KeepClaimedAsync(string scope, string clientKey, ILogger logger, CancellationToken running)
    {
        using var timer = new PeriodicTimer(RenewEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(running))
            {
                try
                {
                    await RenewAsync(scope, clientKey, running);
                }
                catch (Exception e) when (e is NpgsqlException or TimeoutException)
                {
                    // The next tick tries again; the lease leaves room for two misses.
                    logger.LogWarning("Could not renew an idempotency claim: {Reason}", e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (running.IsCancellationRequested)
        {
            // The request ended.
        }
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
