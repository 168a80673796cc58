namespace Verging.Credits.Writer;

/// <summary>Tuning of the ledger writer (configuration section <c>Credits:Writer</c>); ADR 0007.</summary>
public sealed class WriterOptions
{
    /// <summary>
    /// Independent writer loops; an account always goes to the same one. One loop makes the biggest
    /// batches (one commit for every waiting account): on 2 cores it gave 818 pairs/s across 100
    /// accounts against 649 with 4 loops (docs/benchmarks.md). Raise it on machines with more cores.
    /// </summary>
    public int Shards { get; set; } = 1;

    /// <summary>Most commands committed in one transaction.</summary>
    public int MaxBatch { get; set; } = 256;

    /// <summary>Ledger states kept in memory; beyond this the cache is cleared and states reload from their documents.</summary>
    public int MaxCachedLedgers { get; set; } = 100_000;
}
