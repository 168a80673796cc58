using Microsoft.Extensions.Options;
using Npgsql;
using Verging.AiProxy.RateLimits;
using Verging.IntegrationTests.Infrastructure;

namespace Verging.IntegrationTests.AiProxy;

/// <summary>
/// Every window admits the whole limit again, and its headers count from the limit, whatever the windows before
/// it did. A limiter on the real counter table, driven by a clock the test moves.
/// </summary>
[Collection(SharedHostCollection.Name)]
public sealed class RateLimitWindowsTests(VergingHost fixture)
{
    [Theory]
    [InlineData("imagegen", 60)] // claims of 1
    [InlineData("chat", 600)]    // claims of 12
    public async Task A_window_filled_to_the_limit_does_not_shrink_the_next_one(string service, int limit)
    {
        var clock = new ManualClock(new DateTimeOffset(2031, 1, 1, 0, 0, 5, TimeSpan.Zero));
        var limiter = Limiter(clock);
        var account = Guid.CreateVersion7();

        for (var window = 0; window < 3; window++)
        {
            var decisions = new List<RateLimitDecision>();
            for (var i = 0; i < limit + 5; i++)
            {
                decisions.Add(await limiter.AcquireAsync(account, service, CancellationToken.None));
            }

            decisions.Count(d => d.Allowed).ShouldBe(limit, $"window {window}");
            decisions.Take(limit).ShouldAllBe(d => d.Allowed);
            decisions[0].Remaining.ShouldBe(limit - 1, $"window {window}: the first request leaves limit - 1");
            decisions[limit - 1].Remaining.ShouldBe(0);
            clock.Advance(TimeSpan.FromMinutes(1));
        }
    }

    [Fact]
    public async Task A_window_partly_used_counts_the_next_one_from_the_limit()
    {
        var clock = new ManualClock(new DateTimeOffset(2031, 1, 2, 0, 0, 5, TimeSpan.Zero));
        var limiter = Limiter(clock);
        var account = Guid.CreateVersion7();
        for (var i = 0; i < 3; i++)
        {
            await limiter.AcquireAsync(account, "imagegen", CancellationToken.None);
        }

        clock.Advance(TimeSpan.FromMinutes(1));
        (await limiter.AcquireAsync(account, "imagegen", CancellationToken.None)).Remaining.ShouldBe(59);
        (await limiter.AcquireAsync(account, "imagegen", CancellationToken.None)).Remaining.ShouldBe(58);
    }

    private RateLimiter Limiter(TimeProvider clock) =>
        new(fixture.Service<NpgsqlDataSource>(), Options.Create(new RateLimitOptions()), clock);

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
