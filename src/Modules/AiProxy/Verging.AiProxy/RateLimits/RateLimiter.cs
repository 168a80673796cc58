using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Verging.AiProxy.RateLimits;

/// <summary>
/// A fixed-window counter per (account, service, window) kept in PostgreSQL, so that the limit holds
/// across every instance sharing the database (ADR 0008). One upsert per request, no lock held.
/// </summary>
public sealed class RateLimiter(NpgsqlDataSource dataSource, IOptions<RateLimitOptions> options, TimeProvider clock)
{
    public const string Table = "aiproxy.rate_windows";

    public async Task<RateLimitDecision> AcquireAsync(Guid accountId, string service, CancellationToken cancellation)
    {
        var settings = options.Value;
        var limit = settings.LimitFor(service);
        var now = clock.GetUtcNow();
        var windowTicks = settings.Window.Ticks;
        var windowStart = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % windowTicks), TimeSpan.Zero);
        var reset = (int)Math.Ceiling((windowStart.AddTicks(windowTicks) - now).TotalSeconds);

        // One round trip: a counter increment is not worth an fsync (a crash can at most forget a few
        // increments of the current window), so this transaction alone commits asynchronously.
        await using var connection = await dataSource.OpenConnectionAsync(cancellation);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("begin"),
                new NpgsqlBatchCommand("set local synchronous_commit = off"),
                new NpgsqlBatchCommand(
                    $"insert into {Table} (account_id, service, window_start, count) values ($1, $2, $3, 1) " +
                    "on conflict (account_id, service, window_start) do update set count = rate_windows.count + 1 returning count")
                {
                    Parameters = { new() { Value = accountId }, new() { Value = service }, new() { Value = windowStart } },
                },
                new NpgsqlBatchCommand("commit"),
            },
        };
        var count = 0;
        await using (var reader = await batch.ExecuteReaderAsync(cancellation))
        {
            do
            {
                if (reader.FieldCount == 1 && await reader.ReadAsync(cancellation))
                {
                    count = reader.GetInt32(0);
                }
            }
            while (await reader.NextResultAsync(cancellation));
        }

        return new RateLimitDecision(count <= limit, limit, Math.Max(0, limit - count), Math.Max(1, reset));
    }

    public static void WriteHeaders(HttpResponse response, RateLimitDecision decision)
    {
        response.Headers["X-RateLimit-Limit"] = decision.Limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers["X-RateLimit-Remaining"] = decision.Remaining.ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers["X-RateLimit-Reset"] = decision.ResetSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!decision.Allowed)
        {
            response.Headers.RetryAfter = decision.ResetSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
