using Marten;
using Npgsql;

namespace Verging.IntegrationTests.Infrastructure;

/// <summary>
/// Holds the row lock of an account's ledger stream from outside the app, as another instance's
/// batch would: every ledger write of that account waits on it until this is disposed (rolled back).
/// Lets a test look at what happens while a commit is on its way, without timing anything.
/// </summary>
public sealed class LedgerStreamLock : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private bool _released;

    private LedgerStreamLock(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        _connection = connection;
        _transaction = transaction;
    }

    public static async Task<LedgerStreamLock> HoldAsync(string connectionString, IDocumentStore store, Guid account)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        (await StreamVersionAsync(connection, transaction, store, account, "for update")).ShouldNotBeNull("the account's stream must exist to be locked");
        return new LedgerStreamLock(connection, transaction);
    }

    /// <summary>The version of an account's stream (null if it has none), read with an optional row-locking clause.</summary>
    public static async Task<long?> StreamVersionAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IDocumentStore store, Guid account, string locking = "")
    {
        await using var command = new NpgsqlCommand(
            $"select version from {store.Options.Events.DatabaseSchemaName}.mt_streams where id = $1 {locking}", connection, transaction)
        {
            Parameters = { new NpgsqlParameter { Value = account } },
        };
        return await command.ExecuteScalarAsync() as long?;
    }

    /// <summary>Locks another account's stream too, without waiting: false if someone else holds it.</summary>
    public async Task<bool> TryAlsoLockAsync(IDocumentStore store, Guid account)
    {
        try
        {
            await StreamVersionAsync(_connection, _transaction, store, account, "for update nowait");
            return true;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            return false;
        }
    }

    /// <summary>Rolls back (lets go of every lock); disposing again does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_released)
        {
            return;
        }

        _released = true;
        await _transaction.RollbackAsync();
        await _connection.DisposeAsync();
    }
}
