using Marten;
using Npgsql;
using NpgsqlTypes;

namespace Verging.Credits.Writer;

/// <summary>SQL the writer needs that Marten has no API for.</summary>
internal static class LedgerStorage
{
    /// <summary>
    /// Locks the streams of these accounts (in id order, the same order on every instance, so two
    /// batches can never wait on each other in a cycle) and returns their current versions.
    /// Accounts without a stream yet are absent from the answer.
    /// </summary>
    public static async Task<Dictionary<Guid, long>> LockStreamsAsync(IDocumentSession session, Guid[] accounts, CancellationToken cancellation)
    {
        var schema = session.DocumentStore.Options.Events.DatabaseSchemaName;
        await using var command = new NpgsqlCommand($"select id, version from {schema}.mt_streams where id = any(@ids) order by id for update");
        command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = accounts });
        var versions = new Dictionary<Guid, long>(accounts.Length);
        await using var reader = await session.ExecuteReaderAsync(command, cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            versions[reader.GetGuid(0)] = reader.GetInt64(1);
        }

        return versions;
    }
}
