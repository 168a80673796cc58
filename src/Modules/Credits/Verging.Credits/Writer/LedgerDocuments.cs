using System.Collections.Immutable;
using Marten;
using Npgsql;
using NpgsqlTypes;
using Verging.Credits.Ledger;

namespace Verging.Credits.Writer;

/// <summary>Reads the ledger's state as stored: the balance documents with their open-hold rows.</summary>
public static class LedgerDocuments
{
    /// <summary>The stored state of one account, or null when it has no balance document.</summary>
    public static async Task<Ledger.Ledger?> LoadAsync(IQuerySession session, Guid accountId, CancellationToken cancellation) =>
        (await LoadManyAsync(session, [accountId], cancellation)).GetValueOrDefault(accountId);

    /// <summary>The stored state of each account that has a balance document.</summary>
    public static async Task<Dictionary<Guid, Ledger.Ledger>> LoadManyAsync(IQuerySession session, IReadOnlyCollection<Guid> accounts, CancellationToken cancellation)
    {
        var documents = await session.LoadManyAsync<Ledger.Ledger>(cancellation, accounts);
        var holds = await OpenHoldsAsync(session, accounts, cancellation);
        return documents.ToDictionary(
            d => d.Id,
            d => d with { Holds = holds.TryGetValue(d.Id, out var open) ? open.ToImmutable() : ImmutableDictionary<Guid, Hold>.Empty });
    }

    /// <summary>The reservations of the account's open holds that expire by <paramref name="dueAt"/>.</summary>
    public static async Task<List<Guid>> DueHoldsAsync(NpgsqlDataSource dataSource, Guid accountId, DateTimeOffset dueAt, CancellationToken cancellation)
    {
        await using var command = dataSource.CreateCommand(OpenHoldsTable.SelectDue);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = accountId });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = dueAt });
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        var due = new List<Guid>();
        while (await reader.ReadAsync(cancellation))
        {
            due.Add(reader.GetGuid(0));
        }

        return due;
    }

    /// <summary>The open-hold rows of these accounts.</summary>
    public static async Task<Dictionary<Guid, ImmutableDictionary<Guid, Hold>.Builder>> OpenHoldsAsync(
        IQuerySession session, IReadOnlyCollection<Guid> accounts, CancellationToken cancellation)
    {
        await using var command = new NpgsqlCommand(OpenHoldsTable.SelectForAccounts)
        {
            Parameters = { new() { Value = accounts.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid } },
        };
        await using var reader = await session.ExecuteReaderAsync(command, cancellation);
        var holds = new Dictionary<Guid, ImmutableDictionary<Guid, Hold>.Builder>();
        while (await reader.ReadAsync(cancellation))
        {
            var account = reader.GetGuid(0);
            if (!holds.TryGetValue(account, out var open))
            {
                holds[account] = open = ImmutableDictionary.CreateBuilder<Guid, Hold>();
            }

            open[reader.GetGuid(1)] = new Hold(reader.GetInt64(2), reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4));
        }

        return holds;
    }
}
