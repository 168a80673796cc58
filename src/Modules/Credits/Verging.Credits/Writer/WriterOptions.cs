namespace Verging.Credits.Writer;

/// <summary>Tuning of the ledger writer (configuration section <c>Credits:Writer</c>); ADR 0007.</summary>
public sealed class WriterOptions
{
    /// <summary>Independent writer loops; an account always goes to the same one.</summary>
    public int Shards { get; set; } = 4;

    /// <summary>Most commands committed in one transaction.</summary>
    public int MaxBatch { get; set; } = 256;

    /// <summary>Ledger states kept in memory; beyond this the cache is cleared and states reload from their documents.</summary>
    public int MaxCachedLedgers { get; set; } = 100_000;
}
