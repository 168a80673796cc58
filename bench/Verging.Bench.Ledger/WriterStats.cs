using System.Diagnostics.Metrics;

namespace Verging.Bench.Ledger;

internal sealed record BatchStats(long Batches, double MeanCommands, double MeanCommitMs, IReadOnlyDictionary<string, double> MeanPhaseMs);

/// <summary>Listens to the ledger writer's meter (<c>Verging.Credits.Writer</c>): batches, their size, their commit time.</summary>
internal sealed class WriterStats : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _batches;
    private long _commands;
    private double _commitMs;
    private readonly Dictionary<string, (long Count, double Ms)> _phases = [];

    public WriterStats()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Verging.Credits.Writer")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((instrument, value, _, _) =>
        {
            if (instrument.Name == "verging.ledger.batch.commands")
            {
                Interlocked.Increment(ref _batches);
                Interlocked.Add(ref _commands, value);
            }
        });
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            lock (_listener)
            {
                if (instrument.Name == "verging.ledger.batch.duration")
                {
                    _commitMs += value;
                }
                else if (instrument.Name == "verging.ledger.batch.phase")
                {
                    foreach (var tag in tags)
                    {
                        if (tag.Key == "phase" && tag.Value is string phase)
                        {
                            var (count, ms) = _phases.GetValueOrDefault(phase);
                            _phases[phase] = (count + 1, ms + value);
                        }
                    }
                }
            }
        });
        _listener.Start();
    }

    public void Reset()
    {
        lock (_listener)
        {
            _batches = 0;
            _commands = 0;
            _commitMs = 0;
            _phases.Clear();
        }
    }

    public BatchStats Snapshot()
    {
        lock (_listener)
        {
            var phases = _phases.ToDictionary(p => p.Key, p => p.Value.Ms / Math.Max(1, p.Value.Count));
            return _batches == 0 ? new BatchStats(0, 0, 0, phases) : new BatchStats(_batches, (double)_commands / _batches, _commitMs / _batches, phases);
        }
    }

    public void Dispose() => _listener.Dispose();
}
