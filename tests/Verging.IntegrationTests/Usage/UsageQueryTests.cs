using Verging.IntegrationTests.Infrastructure;

namespace Verging.IntegrationTests.Usage;

[Collection(SharedHostCollection.Name)]
public sealed class UsageQueryTests(VergingHost fixture)
{
    [Theory]
    [InlineData("service_type=video", "service_type:")]
    [InlineData("service_type=", "service_type:")]
    [InlineData("service_type=face-swap", "service_type:")]
    [InlineData("page=0", "page:")]
    [InlineData("page=-1", "page:")]
    [InlineData("page=two", "page:")]
    [InlineData("page_size=0", "page_size:")]
    [InlineData("page_size=101", "page_size:")]
    [InlineData("from=yesterday", "from:")]
    [InlineData("from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z", "from:")]
    [InlineData("api_key_id=vrg_sk_123", "api_key_id:")]
    [InlineData("format=xml", "format:")]
    public async Task Bad_usage_queries_are_400_naming_the_parameter(string query, string field)
    {
        var (_, key) = await fixture.CreateAccountAsync();
        var result = await fixture.Host.Scenario(s =>
        {
            s.Get.Url($"/api/v1/ai/usage?{query}");
            s.WithApiKey(key);
            s.StatusCodeShouldBe(400);
        });
        (await result.ShouldBeError(40000)).ShouldStartWith(field);
    }

    [Fact]
    public async Task The_usage_query_needs_an_api_key()
    {
        var result = await fixture.Host.Scenario(s =>
        {
            s.Get.Url("/api/v1/ai/usage");
            s.StatusCodeShouldBe(401);
        });
        await result.ShouldBeError(40100);
    }

    [Fact]
    public async Task Records_come_newest_first_in_pages_with_the_total()
    {
        var (account, key) = await fixture.CreateAccountAsync();
        var apiKey = Guid.NewGuid();
        var contracts = Enumerable.Range(0, 25)
            .Select(i => (object)UsageKit.Completed(account, apiKey, i % 2 == 0 ? "chat" : "imagegen", UsageKit.Base.AddMinutes(i), credits: i))
            .Reverse() // published oldest last: the order comes from the time, not from arrival
            .ToArray();
        await fixture.PublishAsync(contracts);

        var first = await fixture.GetJsonAsync(key, "/api/v1/ai/usage");
        first["total"]!.GetValue<long>().ShouldBe(25);
        first["page_size"]!.GetValue<int>().ShouldBe(20);
        var credits = first["records"]!.AsArray().Select(r => r!["credits_consumed"]!.GetValue<long>()).ToArray();
        credits.ShouldBe(Enumerable.Range(5, 20).Reverse().Select(i => (long)i).ToArray());

        var last = await fixture.GetJsonAsync(key, "/api/v1/ai/usage?page=3&page_size=10");
        last["page"]!.GetValue<int>().ShouldBe(3);
        last["page_size"]!.GetValue<int>().ShouldBe(10);
        last["records"]!.AsArray().Select(r => r!["credits_consumed"]!.GetValue<long>()).ToArray().ShouldBe([4L, 3, 2, 1, 0]);

        var beyond = await fixture.GetJsonAsync(key, "/api/v1/ai/usage?page=4&page_size=10");
        beyond["records"]!.AsArray().ShouldBeEmpty();
        beyond["total"]!.GetValue<long>().ShouldBe(25);

        var max = await fixture.GetJsonAsync(key, "/api/v1/ai/usage?page_size=100");
        max["records"]!.AsArray().Count.ShouldBe(25);

        // The total without a range comes from the kept counts, with a range from counting the rows: they agree.
        var ranged = await fixture.GetJsonAsync(key, $"/api/v1/ai/usage?from={UsageKit.Q(UsageKit.Base.AddYears(-1))}");
        ranged["total"]!.GetValue<long>().ShouldBe(25);
        (await fixture.GetJsonAsync(key, "/api/v1/ai/usage?service_type=imagegen"))["total"]!.GetValue<long>().ShouldBe(12);
        (await fixture.GetJsonAsync(key, $"/api/v1/ai/usage?service_type=imagegen&to={UsageKit.Q(UsageKit.Base.AddYears(1))}"))["total"]!.GetValue<long>().ShouldBe(12);
    }

    [Fact]
    public async Task Filters_narrow_by_service_time_range_and_api_key()
    {
        var (account, key) = await fixture.CreateAccountAsync();
        var ci = Guid.NewGuid();
        var laptop = Guid.NewGuid();
        await fixture.PublishAsync(
            UsageKit.Completed(account, ci, "chat", UsageKit.Base),
            UsageKit.Completed(account, laptop, "chat", UsageKit.Base.AddHours(1)),
            UsageKit.Completed(account, ci, "tts", UsageKit.Base.AddHours(2)),
            UsageKit.Failed(account, laptop, "vision", UsageKit.Base.AddHours(3)));

        async Task<string[]> Services(string query) =>
            (await fixture.GetJsonAsync(key, $"/api/v1/ai/usage?{query}"))["records"]!.AsArray()
            .Select(r => r!["service_type"]!.GetValue<string>()).ToArray();

        (await Services("service_type=chat")).ShouldBe(["chat", "chat"]);
        (await Services("service_type=stt")).ShouldBeEmpty();
        (await Services($"from={UsageKit.Q(UsageKit.Base.AddHours(1))}")).ShouldBe(["vision", "tts", "chat"]);
        (await Services($"from={UsageKit.Q(UsageKit.Base.AddHours(1))}&to={UsageKit.Q(UsageKit.Base.AddHours(3))}")).ShouldBe(["tts", "chat"]);
        (await Services($"api_key_id={laptop}")).ShouldBe(["vision", "chat"]);
        (await Services($"api_key_id={ci}&service_type=tts")).ShouldBe(["tts"]);
        var failed = (await fixture.GetJsonAsync(key, "/api/v1/ai/usage?service_type=vision"))["records"]!.AsArray().Single()!;
        failed["status"]!.GetValue<string>().ShouldBe("upstream_error");
        failed["credits_consumed"]!.GetValue<long>().ShouldBe(0);
    }

    [Fact]
    public async Task One_account_never_sees_another_accounts_usage()
    {
        var (alice, aliceKey) = await fixture.CreateAccountAsync();
        var (_, bobKey) = await fixture.CreateAccountAsync();
        var aliceApiKey = Guid.NewGuid();
        await fixture.PublishAsync(
            UsageKit.Completed(alice, aliceApiKey, "chat", UsageKit.Base),
            UsageKit.JobEnded(alice, aliceApiKey, UsageKit.Base));

        (await fixture.GetJsonAsync(aliceKey, "/api/v1/ai/usage"))["total"]!.GetValue<long>().ShouldBe(1);
        (await fixture.GetJsonAsync(bobKey, "/api/v1/ai/usage"))["total"]!.GetValue<long>().ShouldBe(0);
        // Not even by naming Alice's key.
        (await fixture.GetJsonAsync(bobKey, $"/api/v1/ai/usage?api_key_id={aliceApiKey}"))["total"]!.GetValue<long>().ShouldBe(0);
        var range = $"from={UsageKit.Q(UsageKit.Base.AddDays(-1))}&to={UsageKit.Q(UsageKit.Base.AddDays(1))}";
        (await fixture.GetJsonAsync(bobKey, $"/api/v1/usage/summary?{range}"))["totals"]!["requests"]!.GetValue<long>().ShouldBe(0);
        (await fixture.GetJsonAsync(aliceKey, $"/api/v1/usage/summary?{range}"))["totals"]!["requests"]!.GetValue<long>().ShouldBe(2);
        var csv = await (await fixture.Host.Scenario(s =>
        {
            s.Get.Url("/api/v1/ai/usage?format=csv");
            s.WithApiKey(bobKey);
        })).ReadAsTextAsync();
        csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(1, "only the header");
    }
}
