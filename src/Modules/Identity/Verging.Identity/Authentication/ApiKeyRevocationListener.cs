using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Verging.Identity.Authentication;

/// <summary>
/// Listens on the PostgreSQL channel <see cref="Channel"/>; a revocation on any instance sends the
/// key's hash there (inside the revoking transaction, so only committed revocations are heard) and
/// every instance drops it from its cache at once. After a lost connection the whole cache is
/// dropped, since notices sent meanwhile are gone.
/// </summary>
public sealed class ApiKeyRevocationListener(
    NpgsqlDataSource dataSource,
    ApiKeyValidator validator,
    ILogger<ApiKeyRevocationListener> logger) : BackgroundService
{
    public const string Channel = "verging_api_key_revoked";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, e) => validator.Evict(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                validator.EvictAll();
                delay = TimeSpan.FromSeconds(1);
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                validator.EvictAll();
                logger.LogWarning(e, "API key revocation listener lost its connection; retrying in {Delay}", delay);
                await Task.Delay(delay, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
        }
    }
}
