using System.Diagnostics.Metrics;

namespace Verging.Credits.Writer;

/// <summary>
/// What the ledger writer's batches look like (meter <c>Verging.Credits.Writer</c>, readable with
/// dotnet-counters and by bench/Verging.Bench.Ledger): commands per committed batch and the time
/// from taking the batch to its commit. Group commit only pays off when batches grow with load.
/// </summary>
internal static class WriterMetrics
{
    public const string MeterName = "Verging.Credits.Writer";

    private static readonly Meter Meter = new(MeterName);

    public static readonly Histogram<int> BatchCommands = Meter.CreateHistogram<int>(
        "verging.ledger.batch.commands", unit: "{command}", description: "Commands committed in one ledger transaction");

    public static readonly Histogram<double> BatchDuration = Meter.CreateHistogram<double>(
        "verging.ledger.batch.duration", unit: "ms", description: "From taking a batch to answering its callers (lock, decide, append, commit)");

    /// <summary>One attempt's phases (tag <c>phase</c>: lock = lock streams and load, decide, save = append, store and commit).</summary>
    public static readonly Histogram<double> PhaseDuration = Meter.CreateHistogram<double>(
        "verging.ledger.batch.phase", unit: "ms", description: "Time of each phase of a ledger batch attempt");

    public static void RecordPhase(string phase, long since) =>
        PhaseDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(since).TotalMilliseconds, new KeyValuePair<string, object?>("phase", phase));
}
