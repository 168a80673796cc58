using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Verging.AiProxy.RateLimits;

/// <summary>
/// A fixed-window counter per (account, service, window) kept in PostgreSQL, so that the limit holds
/// across every instance sharing the database (ADR 0008). An instance claims a few requests of the
/// window at a time (<see cref="ClaimSize"/>) and hands them out from memory: the counter never
/// exceeds the limit, so all instances together admit at most the limit, while most requests of a
/// busy account cost no database round trip (ADR 0015). A window found full is remembered until it ends.
/// </summary>
public sealed class RateLimiter(NpgsqlDataSource dataSource, IOptions<RateLimitOptions> options, TimeProvider clock)
{
    public const string Table = "aiproxy.rate_windows";

    private const int MaxTracked = 100_000;
    private readonly ConcurrentDictionary<(Guid Account, string Service), Allowance> _allowances = new();

    /// <summary>Requests claimed per round trip: 1 for small limits (exact, as if counted one by one), at most 32.</summary>
    public static int ClaimSize(int limit) => Math.Clamp(limit / 50, 1, 32);

    public async Task<RateLimitDecision> AcquireAsync(Guid accountId, string service, CancellationToken cancellation)
    {
        var settings = options.Value;
        var limit = settings.LimitFor(service);
        var now = clock.GetUtcNow();
        var windowTicks = settings.Window.Ticks;
        var windowStart = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % windowTicks), TimeSpan.Zero);
        var reset = Math.Max(1, (int)Math.Ceiling((windowStart.AddTicks(windowTicks) - now).TotalSeconds));

        if (!_allowances.TryGetValue((accountId, service), out var allowance))
        {
            // Counted only when a new account and service appears: Count takes every lock of the map.
            if (_allowances.Count > MaxTracked)
            {
                // Only unused claims of current windows are lost: at worst a few requests are refused early.
                _allowances.Clear();
            }

            allowance = _allowances.GetOrAdd((accountId, service), _ => new Allowance());
        }

        if (allowance.TryTake(windowStart, limit, reset) is { } local)
        {
            return local;
        }

        // One claim in flight per account and service: requests arriving meanwhile wait for it and
        // take from what it brought, instead of each claiming (and stranding) slots of their own.
        await allowance.Claiming.WaitAsync(cancellation);
        try
        {
            if (allowance.TryTake(windowStart, limit, reset) is { } claimedMeanwhile)
            {
                return claimedMeanwhile;
            }

            var (count, granted) = await ClaimAsync(accountId, service, windowStart, ClaimSize(limit), limit, cancellation);
            return allowance.AddAndTake(windowStart, limit, reset, count, granted);
        }
        finally
        {
            allowance.Claiming.Release();
        }
    }

    /// <summary>One round trip: adds up to <paramref name="want"/> to the window's counter, never past the limit.</summary>
    private async Task<(int Count, int Granted)> ClaimAsync(
        Guid accountId, string service, DateTimeOffset windowStart, int want, int limit, CancellationToken cancellation)
    {
        // A counter increment is not worth an fsync (a crash can at most forget a few claims of the
        // current window), so this transaction alone commits asynchronously.
        await using var connection = await dataSource.OpenConnectionAsync(cancellation);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("begin"),
                new NpgsqlBatchCommand("set local synchronous_commit = off"),
                new NpgsqlBatchCommand(
                    $"insert into {Table} as w (account_id, service, window_start, count, granted) values ($1, $2, $3, least($4, $5), least($4, $5)) " +
                    "on conflict (account_id, service, window_start) do update " +
                    "set granted = least($4, greatest($5 - w.count, 0)), count = w.count + least($4, greatest($5 - w.count, 0)) " +
                    "returning count, granted")
                {
                    Parameters =
                    {
                        new() { Value = accountId }, new() { Value = service }, new() { Value = windowStart },
                        new() { Value = want }, new() { Value = limit },
                    },
                },
                new NpgsqlBatchCommand("commit"),
            },
        };
        int count = limit, granted = 0;
        await using (var reader = await batch.ExecuteReaderAsync(cancellation))
        {
            do
            {
                if (reader.FieldCount == 2 && await reader.ReadAsync(cancellation))
                {
                    count = reader.GetInt32(0);
                    granted = reader.GetInt32(1);
                }
            }
            while (await reader.NextResultAsync(cancellation));
        }

        return (count, granted);
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

    /// <summary>This instance's unused claims of one account and service in the current window.</summary>
    private sealed class Allowance
    {
        private DateTimeOffset _window;
        private int _unused;
        private int _counted; // the shared counter after this instance's last claim
        private bool _full;

        public SemaphoreSlim Claiming { get; } = new(1, 1);

        public RateLimitDecision? TryTake(DateTimeOffset window, int limit, int reset)
        {
            lock (this)
            {
                if (_window != window)
                {
                    return null;
                }

                if (_unused > 0)
                {
                    _unused--;
                    return new RateLimitDecision(true, limit, Remaining(limit), reset);
                }

                return _full ? new RateLimitDecision(false, limit, 0, reset) : null;
            }
        }

        public RateLimitDecision AddAndTake(DateTimeOffset window, int limit, int reset, int counted, int granted)
        {
            lock (this)
            {
                if (window < _window)
                {
                    // A claim for a window that has ended while it waited its turn: it admits this one request
                    // (the counter of its window allowed it) and says nothing about the current window.
                    return new RateLimitDecision(granted > 0, limit, 0, reset);
                }

                if (window > _window)
                {
                    // A new window: claims of the old one are worth nothing now, and its count is not this one's.
                    _window = window;
                    _unused = 0;
                    _counted = 0;
                    _full = false;
                }

                _counted = Math.Max(_counted, counted);
                _unused += granted;
                _full = _counted >= limit;
                if (_unused == 0)
                {
                    return new RateLimitDecision(false, limit, 0, reset);
                }

                _unused--;
                return new RateLimitDecision(true, limit, Remaining(limit), reset);
            }
        }

        // What the window still admits, as far as this instance knows: unclaimed plus its own unused claims.
        private int Remaining(int limit) => Math.Max(0, limit - _counted + _unused);
    }
}
