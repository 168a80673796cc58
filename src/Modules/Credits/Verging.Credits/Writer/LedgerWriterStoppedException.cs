namespace Verging.Credits.Writer;

/// <summary>
/// The writer no longer takes commands (the host is stopping). Durable messages that hit this are
/// scheduled for a retry (see CreditsModule), so another instance or the next start handles them.
/// </summary>
public sealed class LedgerWriterStoppedException : InvalidOperationException
{
    public LedgerWriterStoppedException() : base("The ledger writer is shutting down") { }

    public LedgerWriterStoppedException(string message) : base(message) { }

    public LedgerWriterStoppedException(string message, Exception innerException) : base(message, innerException) { }
}
