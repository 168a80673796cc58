using Npgsql;

namespace Verging.Jobs.Lifecycle;

/// <summary>Heartbeats and the sweep for expired leases (the rows JobLifecycle writes with JobStarted).</summary>
public sealed class LeaseStore(NpgsqlDataSource dataSource)
{
    /// <summary>Extends the lease by its granted duration if <paramref name="workerId"/> still holds this attempt: its new expiry, or null when it lost it.</summary>
    public async Task<DateTimeOffset?> RenewAsync(Guid jobId, int attempt, string workerId, CancellationToken cancellation)
    {
        await using var command = dataSource.CreateCommand(
            $"update {LeaseTable.Name} set expires_at = now() + make_interval(secs => lease_seconds) " +
            "where job_id = $1 and attempt = $2 and worker_id = $3 and expires_at >= now() returning expires_at");
        command.Parameters.Add(new() { Value = jobId });
        command.Parameters.Add(new() { Value = attempt });
        command.Parameters.Add(new() { Value = workerId });
        return await command.ExecuteScalarAsync(cancellation) is DateTime expires ? new DateTimeOffset(expires, TimeSpan.Zero) : null;
    }

    /// <summary>Leases nobody renewed in time, oldest first.</summary>
    public async Task<IReadOnlyList<(Guid JobId, int Attempt)>> ExpiredAsync(int limit, CancellationToken cancellation)
    {
        await using var command = dataSource.CreateCommand(
            $"select job_id, attempt from {LeaseTable.Name} where expires_at < now() order by expires_at limit $1");
        command.Parameters.Add(new() { Value = limit });
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        var expired = new List<(Guid, int)>();
        while (await reader.ReadAsync(cancellation))
        {
            expired.Add((reader.GetGuid(0), reader.GetInt32(1)));
        }

        return expired;
    }
}
