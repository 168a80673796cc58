using Weasel.Postgresql.Tables;

namespace Verging.Credits.Writer;

/// <summary>
/// The holds that have not ended, one row each, written by the ledger writer in the transaction
/// that appends their CreditsFrozen (insert) and their settle, release or expiry (delete). A read
/// model of the ledger streams like the balance document, rebuilt from them by LedgerRebuild and
/// checked against them by the audit. Kept out of the balance document so that a change to an
/// account costs the same with three open holds or three thousand (ADR 0016).
/// </summary>
public static class OpenHoldsTable
{
    public const string Name = CreditsModule.Schema + ".open_holds";

    public static Table Build()
    {
        var table = new Table(Name);
        table.AddColumn<Guid>("account_id").AsPrimaryKey();
        table.AddColumn<Guid>("reservation_id").AsPrimaryKey();
        table.AddColumn<long>("amount").NotNull();
        table.AddColumn<string>("purpose").NotNull();
        table.AddColumn<DateTimeOffset>("expires_at").NotNull();
        return table;
    }

    public const string SelectForAccounts =
        $"select account_id, reservation_id, amount, purpose, expires_at from {Name} where account_id = any($1)";

    public const string SelectDue =
        $"select reservation_id from {Name} where account_id = $1 and expires_at <= $2 order by expires_at";

    public const string InsertMany =
        $"insert into {Name} (account_id, reservation_id, amount, purpose, expires_at) " +
        "select * from unnest(?::uuid[], ?::uuid[], ?::bigint[], ?::varchar[], ?::timestamptz[])";

    public const string DeleteMany =
        $"delete from {Name} as h using unnest(?::uuid[], ?::uuid[]) as d(account_id, reservation_id) " +
        "where h.account_id = d.account_id and h.reservation_id = d.reservation_id";

    public const string DeleteForAccounts = $"delete from {Name} where account_id = any(?)";
}
