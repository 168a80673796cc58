using Verging.IntegrationTests.Infrastructure;

namespace Verging.IntegrationTests.Usage;

[Collection(SharedHostCollection.Name)]
public sealed class UsageSummaryTests(VergingHost fixture)
{
    private static readonly string Range = $"from={UsageKit.Q(UsageKit.Base.AddDays(-1))}&to={UsageKit.Q(UsageKit.Base.AddDays(3))}";

    [Fact]
    public async Task The_summary_groups_requests_and_jobs_by_service_with_counts_credits_tokens_and_latency_percentiles()
    {
        var (account, key) = await fixture.CreateAccountAsync();
        var apiKey = Guid.NewGuid();
        // chat latencies 100, 200, ..., 1000 ms: p50 550, p95 955 (linear interpolation, like percentile_cont).
        var chats = Enumerable.Range(1, 10)
            .Select(i => (object)UsageKit.Completed(account, apiKey, "chat", UsageKit.Base.AddMinutes(i), credits: 2, input: 100, output: 50, latency: i * 100));
        await fixture.PublishAsync([.. chats,
            UsageKit.Failed(account, apiKey, "tts", UsageKit.Base, latency: 40),
            UsageKit.JobEnded(account, apiKey, UsageKit.Base.AddDays(1), credits: 6)]);

        var summary = await fixture.GetJsonAsync(key, $"/api/v1/usage/summary?{Range}&group_by=service");
        summary["group_by"]!.GetValue<string>().ShouldBe("service");
        var groups = summary["groups"]!.AsArray().ToDictionary(g => g!["key"]!.GetValue<string>(), g => g!);
        groups.Keys.Order().ShouldBe(["chat", "face-swap", "tts"]);

        var chat = groups["chat"];
        chat["requests"]!.GetValue<long>().ShouldBe(10);
        chat["ai_requests"]!.GetValue<long>().ShouldBe(10);
        chat["succeeded"]!.GetValue<long>().ShouldBe(10);
        chat["credits_consumed"]!.GetValue<long>().ShouldBe(20);
        chat["input_tokens"]!.GetValue<long>().ShouldBe(1000);
        chat["output_tokens"]!.GetValue<long>().ShouldBe(500);
        chat["latency_p50_ms"]!.GetValue<double>().ShouldBe(550);
        chat["latency_p95_ms"]!.GetValue<double>().ShouldBe(955);

        groups["tts"]["failed"]!.GetValue<long>().ShouldBe(1);
        groups["tts"]["credits_consumed"]!.GetValue<long>().ShouldBe(0);
        groups["face-swap"]["job_attempts"]!.GetValue<long>().ShouldBe(1);
        groups["face-swap"]["credits_consumed"]!.GetValue<long>().ShouldBe(6);

        var totals = summary["totals"]!;
        totals["requests"]!.GetValue<long>().ShouldBe(12);
        totals["ai_requests"]!.GetValue<long>().ShouldBe(11);
        totals["job_attempts"]!.GetValue<long>().ShouldBe(1);
        totals["credits_consumed"]!.GetValue<long>().ShouldBe(26);
        totals["failed"]!.GetValue<long>().ShouldBe(1);
    }

    [Fact]
    public async Task The_summary_groups_by_utc_day_and_by_api_key_within_the_range()
    {
        var (account, key) = await fixture.CreateAccountAsync();
        var ci = Guid.NewGuid();
        var laptop = Guid.NewGuid();
        await fixture.PublishAsync(
            UsageKit.Completed(account, ci, "chat", UsageKit.Base, credits: 1),
            UsageKit.Completed(account, ci, "chat", UsageKit.Base.AddHours(11).AddMinutes(59), credits: 2), // still 2026-11-20 UTC
            UsageKit.Completed(account, laptop, "imagegen", UsageKit.Base.AddHours(12).AddMinutes(1), credits: 3), // 2026-11-21 UTC
            UsageKit.Completed(account, laptop, "imagegen", UsageKit.Base.AddDays(10), credits: 100)); // outside the range

        var byDay = await fixture.GetJsonAsync(key, $"/api/v1/usage/summary?{Range}&group_by=day");
        byDay["groups"]!.AsArray().Select(g => (g!["key"]!.GetValue<string>(), g["credits_consumed"]!.GetValue<long>()))
            .ShouldBe([("2026-11-20", 3L), ("2026-11-21", 3L)]);

        var byKey = await fixture.GetJsonAsync(key, $"/api/v1/usage/summary?{Range}&group_by=api_key");
        byKey["groups"]!.AsArray().ToDictionary(g => g!["key"]!.GetValue<Guid>(), g => g!["requests"]!.GetValue<long>())
            .ShouldBe(new Dictionary<Guid, long> { [ci] = 2, [laptop] = 1 }, ignoreOrder: true);

        var oneKey = await fixture.GetJsonAsync(key, $"/api/v1/usage/summary?{Range}&api_key_id={laptop}");
        oneKey["totals"]!["credits_consumed"]!.GetValue<long>().ShouldBe(3);
        oneKey["group_by"]!.GetValue<string>().ShouldBe("day", "day is the default grouping");
    }

    [Fact]
    public async Task Without_a_range_the_summary_covers_the_last_30_days()
    {
        var (account, key) = await fixture.CreateAccountAsync();
        var now = DateTimeOffset.UtcNow;
        await fixture.PublishAsync(
            UsageKit.Completed(account, Guid.NewGuid(), "chat", now.AddDays(-29), credits: 4),
            UsageKit.Completed(account, Guid.NewGuid(), "chat", now.AddDays(-31), credits: 50));

        var summary = await fixture.GetJsonAsync(key, "/api/v1/usage/summary");
        summary["totals"]!["credits_consumed"]!.GetValue<long>().ShouldBe(4);
        (summary["to"]!.GetValue<DateTimeOffset>() - summary["from"]!.GetValue<DateTimeOffset>()).ShouldBe(TimeSpan.FromDays(30));
    }

    [Theory]
    [InlineData("group_by=week", "group_by:")]
    [InlineData("from=soon", "from:")]
    [InlineData("from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z", "from:")]
    [InlineData("api_key_id=nope", "api_key_id:")]
    public async Task Bad_summary_queries_are_400_naming_the_parameter(string query, string field)
    {
        var (_, key) = await fixture.CreateAccountAsync();
        var result = await fixture.Host.Scenario(s =>
        {
            s.Get.Url($"/api/v1/usage/summary?{query}");
            s.WithApiKey(key);
            s.StatusCodeShouldBe(400);
        });
        (await result.ShouldBeError(40000)).ShouldStartWith(field);
    }
}
