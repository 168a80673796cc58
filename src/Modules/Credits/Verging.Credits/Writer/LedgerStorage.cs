using Marten;
using Npgsql;
using NpgsqlTypes;
using Verging.Credits.Ledger;

namespace Verging.Credits.Writer;

/// <summary>What a batch needs from the database before it can decide: locked stream versions and prior outcomes.</summary>
internal sealed record LockedBatch(
    Dictionary<Guid, long> Versions,
    Dictionary<string, ReservationRecord> Reservations,
    Dictionary<string, LedgerOperation> Operations);

/// <summary>SQL the writer needs that Marten has no API for, sent as one round trip.</summary>
internal static class LedgerStorage
{
    // Marten's table names for these documents (mt_doc_ + lower-case type name, in the module schema).
    internal const string ReservationTable = CreditsModule.Schema + ".mt_doc_reservationrecord";
    private const string OperationTable = CreditsModule.Schema + ".mt_doc_ledgeroperation";

    /// <summary>
    /// In one round trip: locks the streams of these accounts (in id order, the same order on every
    /// instance, so two batches can never wait on each other in a cycle) and returns their versions
    /// (accounts without a stream yet are absent), plus the reservation and operation records of the
    /// given idempotency keys.
    /// </summary>
    public static async Task<LockedBatch> LockAndLoadAsync(
        IDocumentStore store, NpgsqlTransaction transaction, Guid[] accounts, IReadOnlyCollection<string> reservationKeys,
        IReadOnlyCollection<string> operationKeys, CancellationToken cancellation)
    {
        var events = store.Options.Events.DatabaseSchemaName;
        await using var batch = new NpgsqlBatch(transaction.Connection, transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand($"select id, version from {events}.mt_streams where id = any($1) order by id for update")
                {
                    Parameters = { new() { Value = accounts, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid } },
                },
                new NpgsqlBatchCommand($"select data from {ReservationTable} where id = any($1)")
                {
                    Parameters = { new() { Value = reservationKeys.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text } },
                },
                new NpgsqlBatchCommand($"select data from {OperationTable} where id = any($1)")
                {
                    Parameters = { new() { Value = operationKeys.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text } },
                },
            },
        };

        var serializer = store.Options.Serializer();
        var versions = new Dictionary<Guid, long>(accounts.Length);
        var reservations = new Dictionary<string, ReservationRecord>();
        var operations = new Dictionary<string, LedgerOperation>();
        await using var reader = await batch.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            versions[reader.GetGuid(0)] = reader.GetInt64(1);
        }

        await reader.NextResultAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            var record = serializer.FromJson<ReservationRecord>(reader, 0);
            reservations[record.Id] = record;
        }

        await reader.NextResultAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            var operation = serializer.FromJson<LedgerOperation>(reader, 0);
            operations[operation.Id] = operation;
        }

        return new LockedBatch(versions, reservations, operations);
    }
}
