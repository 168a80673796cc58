using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Verging.AiProxy.RateLimits;

/// <summary>Deletes rate-limit windows older than an hour, every few minutes (idempotent on every instance).</summary>
internal sealed class RateWindowSweeper(NpgsqlDataSource dataSource, TimeProvider clock, ILogger<RateWindowSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(5), clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await using var command = dataSource.CreateCommand($"delete from {RateLimiter.Table} where window_start < now() - interval '1 hour'");
                    await command.ExecuteNonQueryAsync(stoppingToken);
                }
                catch (NpgsqlException e)
                {
                    logger.LogWarning(e, "Could not delete old rate-limit windows; will try again");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }
}
