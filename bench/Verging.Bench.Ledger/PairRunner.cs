using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Verging.Credits.Contracts;
using Wolverine;

namespace Verging.Bench.Ledger;

/// <summary>Latency percentiles in milliseconds.</summary>
internal sealed record Percentiles(double P50, double P99)
{
    public static Percentiles Of(List<double> samples)
    {
        if (samples.Count == 0)
        {
            return new Percentiles(0, 0);
        }

        samples.Sort();
        return new Percentiles(At(samples, 0.50), At(samples, 0.99));
    }

    private static double At(List<double> sorted, double q) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
}

internal sealed record RunResult(long Pairs, double PairsPerSecond, Percentiles Freeze, Percentiles Settle, long Errors);

/// <summary>
/// Callers that each loop freeze → settle on their account (caller i uses account i mod M) until
/// the time is up, timing every command from send to committed answer.
/// </summary>
internal sealed class PairRunner(IServiceProvider services, Guid[] accounts, BenchSettings settings)
{
    public const long PairCost = 7;
    private const long HoldAmount = 10;

    public long TotalPairs { get; private set; }

    public async Task<RunResult> RunAsync(TimeSpan duration, bool record)
    {
        var freezes = new List<double>[settings.Callers];
        var settles = new List<double>[settings.Callers];
        var counts = new long[settings.Callers];
        var errors = new long[settings.Callers];
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);

        var callers = Enumerable.Range(0, settings.Callers).Select(i => Task.Run(async () =>
        {
            freezes[i] = new List<double>(16_384);
            settles[i] = new List<double>(16_384);
            await using var scope = services.CreateAsyncScope();
            var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();
            var account = accounts[i % accounts.Length];
            while (Stopwatch.GetTimestamp() < deadline)
            {
                var reservation = Guid.CreateVersion7();
                var t0 = Stopwatch.GetTimestamp();
                var frozen = await bus.InvokeAsync<FreezeOutcome>(new FreezeCredits(account, reservation, HoldAmount, "chat", 5));
                var t1 = Stopwatch.GetTimestamp();
                if (frozen.Status != FreezeStatus.Frozen)
                {
                    errors[i]++;
                    continue;
                }

                var settled = await bus.InvokeAsync<ReservationOutcome>(new SettleCredits(account, reservation, PairCost));
                var t2 = Stopwatch.GetTimestamp();
                if (settled.End != ReservationEnd.Settled || settled.Consumed != PairCost)
                {
                    errors[i]++;
                }

                counts[i]++;
                freezes[i].Add(Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds);
                settles[i].Add(Stopwatch.GetElapsedTime(t1, t2).TotalMilliseconds);
            }
        })).ToArray();
        await Task.WhenAll(callers);

        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var pairs = counts.Sum();
        TotalPairs += pairs;
        if (!record)
        {
            return new RunResult(pairs, pairs / elapsed, new Percentiles(0, 0), new Percentiles(0, 0), errors.Sum());
        }

        return new RunResult(pairs, pairs / elapsed,
            Percentiles.Of(freezes.SelectMany(f => f).ToList()), Percentiles.Of(settles.SelectMany(s => s).ToList()), errors.Sum());
    }
}
