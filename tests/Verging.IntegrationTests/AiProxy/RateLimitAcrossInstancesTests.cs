using Microsoft.Extensions.DependencyInjection;
using Verging.AiProxy.RateLimits;
using Verging.IntegrationTests.Infrastructure;

namespace Verging.IntegrationTests.AiProxy;

/// <summary>
/// Two app instances on one database admitting requests of one account at the same time: each hands
/// out claims from memory (ADR 0015), and still together they admit exactly the limit per window.
/// </summary>
public sealed class RateLimitAcrossInstancesTests(TwoInstanceHost fixture) : IClassFixture<TwoInstanceHost>
{
    [Theory]
    [InlineData("tts", 120, 400)]   // claims of 2
    [InlineData("chat", 600, 1500)] // claims of 12
    public async Task Concurrent_requests_on_two_instances_are_admitted_exactly_up_to_the_limit(string service, int limit, int requests)
    {
        var first = fixture.Service<RateLimiter>();
        var second = fixture.Second.Services.GetRequiredService<RateLimiter>();
        second.ShouldNotBeSameAs(first);
        RateLimiter.ClaimSize(limit).ShouldBeGreaterThan(1, "the test must exercise claims of several requests");
        await RateWindows.AwayFromABoundaryAsync();

        var account = Guid.CreateVersion7();
        var decisions = await Task.WhenAll(Enumerable.Range(0, requests).Select(i =>
            Task.Run(() => (i % 2 == 0 ? first : second).AcquireAsync(account, service, CancellationToken.None))));

        decisions.Count(d => d.Allowed).ShouldBe(limit);
        decisions.Where(d => !d.Allowed).ShouldAllBe(d => d.Remaining == 0 && d.Limit == limit);
        decisions.Where(d => d.Allowed).ShouldAllBe(d => d.Remaining >= 0 && d.Remaining < limit);

        // Both instances now know the window is full: refused without a claim, by either one.
        (await first.AcquireAsync(account, service, CancellationToken.None)).Allowed.ShouldBeFalse();
        (await second.AcquireAsync(account, service, CancellationToken.None)).Allowed.ShouldBeFalse();
    }
}
