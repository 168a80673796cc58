using Marten;
using Marten.Patching;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Verging.Identity.ApiKeys;

namespace Verging.Identity.Authentication;

/// <summary>Writes collected last_used_at values in one transaction per interval, and once more on shutdown.</summary>
public sealed class LastUsedFlusher(
    LastUsedTracker tracker,
    IDocumentStore store,
    IOptions<IdentityOptions> options,
    TimeProvider clock,
    ILogger<LastUsedFlusher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.LastUsedFlushInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the final flush happens in StopAsync.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(cancellationToken);
    }

    public async Task FlushAsync(CancellationToken cancellation)
    {
        var batch = tracker.Drain();
        if (batch.Count == 0)
        {
            return;
        }

        try
        {
            await using var session = store.LightweightSession();
            foreach (var (id, at) in batch)
            {
                session.Patch<ApiKey>(id).Set(k => k.LastUsedAt, at);
            }

            await session.SaveChangesAsync(cancellation);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Losing a last_used_at refresh is harmless; put the values back for the next round.
            foreach (var (id, at) in batch)
            {
                tracker.Touch(id, at);
            }

            logger.LogWarning(e, "Could not write last_used_at for {Count} API keys; will retry", batch.Count);
        }
    }
}
