using Marten;
using Npgsql;
using NpgsqlTypes;
using Verging.IntegrationTests.Infrastructure;

namespace Verging.IntegrationTests.Credits;

/// <summary>
/// A batch decided on cached states moves its streams through the guard function (ADR 0017); a
/// batch of another instance that had to lock locks its streams in id order. If the guard locked
/// in any other order, the two could wait on each other: a deadlock that PostgreSQL only breaks
/// after deadlock_timeout (a second of stall for every command of both batches). The guard must
/// take its locks in id order too, whatever order the batch's accounts came in.
/// </summary>
[Collection(SharedHostCollection.Name)]
public sealed class GuardLockOrderTests(VergingHost fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task The_guard_waiting_for_the_lower_stream_holds_no_lock_on_the_higher_one()
    {
        var (first, _) = await fixture.CreateAccountAsync(credits: 10);
        var (second, _) = await fixture.CreateAccountAsync(credits: 10);
        // PostgreSQL orders uuids by their bytes, which is the order of their hex text.
        var (lower, higher) = string.CompareOrdinal(first.ToString("N"), second.ToString("N")) < 0 ? (first, second) : (second, first);
        var store = fixture.Service<IDocumentStore>();

        // The other instance's locked batch: it holds the lower stream and will want the higher one.
        await using var other = await LedgerStreamLock.HoldAsync(fixture.ConnectionString, store, lower);

        // This instance's optimistic batch names the higher account first. The plan is pinned to a
        // nested loop over the ids as given, the plan that would lock in the batch's order.
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await ExecuteAsync(connection, transaction, "set local enable_hashjoin = off; set local enable_mergejoin = off; set local enable_seqscan = off");
        var versions = await VersionsAsync(connection, transaction, store, [higher, lower]);
        var guarding = GuardAsync(connection, transaction, [higher, lower], versions);

        await WaitUntilWaitingOnALockAsync(connection.ProcessID, guarding);
        (await other.TryAlsoLockAsync(store, higher)).ShouldBeTrue("the guard must not hold the higher stream while it waits for the lower one");

        await other.DisposeAsync();
        await guarding.WaitAsync(Patience);
        await transaction.RollbackAsync();
    }

    private static async Task GuardAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid[] ids, long[] versions)
    {
        await using var command = new NpgsqlCommand("select credits.guard_ledger_batch($1, $2, $3, $4)", connection, transaction)
        {
            Parameters =
            {
                new() { Value = ids, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid },
                new() { Value = versions, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint },
                new() { Value = versions, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint },
                new() { Value = Array.Empty<string>(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar },
            },
        };
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long[]> VersionsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IDocumentStore store, Guid[] ids)
    {
        var versions = new long[ids.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            versions[i] = (await LedgerStreamLock.StreamVersionAsync(connection, transaction, store, ids[i])).ShouldNotBeNull();
        }

        return versions;
    }

    // Polls pg_stat_activity (another connection) until the guard's backend waits on a row lock.
    private async Task WaitUntilWaitingOnALockAsync(int backend, Task guarding)
    {
        await using var watcher = new NpgsqlConnection(fixture.ConnectionString);
        await watcher.OpenAsync();
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            guarding.IsCompleted.ShouldBeFalse("the guard must wait for the lower stream, held by the other batch");
            await using var command = new NpgsqlCommand("select wait_event_type from pg_stat_activity where pid = $1", watcher)
            {
                Parameters = { new() { Value = backend } },
            };
            if (await command.ExecuteScalarAsync() is "Lock")
            {
                return;
            }

            DateTime.UtcNow.ShouldBeLessThan(deadline, "the guard never started waiting for the lower stream");
            await Task.Delay(10);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync();
    }
}
