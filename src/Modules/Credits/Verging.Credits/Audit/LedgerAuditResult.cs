namespace Verging.Credits.Audit;

/// <summary>One account's audit: the replayed truth, what the read models say, and every disagreement.</summary>
public sealed record LedgerAuditRow(
    Guid AccountId,
    long Events,
    long ReplayedBalance,
    long ReplayedFrozen,
    long? DocumentBalance,
    long? DocumentFrozen,
    long? EntriesBalance,
    long? EntriesFrozen,
    IReadOnlyList<string> Problems)
{
    public bool Matches => Problems.Count == 0;
}

public sealed record LedgerAuditReport(IReadOnlyList<LedgerAuditRow> Rows)
{
    public IEnumerable<LedgerAuditRow> Mismatches => Rows.Where(r => !r.Matches);
}
