using Verging.IntegrationTests.Infrastructure;

namespace Verging.IntegrationTests.Usage;

[Collection(SharedHostCollection.Name)]
public sealed class UsageCsvTests(VergingHost fixture)
{
    private const string Header = "id,service_type,credits_consumed,input_tokens,output_tokens,latency_ms,status,created_at,model,api_key_id";

    [Fact]
    public async Task The_export_is_csv_with_a_header_and_every_matching_record_newest_first()
    {
        var (account, key) = await fixture.CreateAccountAsync();
        var apiKey = Guid.NewGuid();
        var contracts = Enumerable.Range(0, 130).Select(i => (object)UsageKit.Completed(account, apiKey, "chat", UsageKit.Base.AddSeconds(i), credits: i)).ToArray();
        await fixture.PublishAsync(contracts);

        var result = await fixture.Host.Scenario(s =>
        {
            s.Get.Url("/api/v1/ai/usage?format=csv");
            s.WithApiKey(key);
            s.StatusCodeShouldBe(200);
        });
        result.Context.Response.ContentType.ShouldBe("text/csv; charset=utf-8");
        var lines = (await result.ReadAsTextAsync()).Split("\r\n");
        lines[0].ShouldBe(Header);
        lines[^1].ShouldBe(string.Empty, "every line ends with CRLF");
        var rows = lines[1..^1];
        rows.Length.ShouldBe(130, "not one page: every record of the range");
        rows[0].Split(',')[2].ShouldBe("129");
        rows[^1].Split(',')[2].ShouldBe("0");
        var first = rows[0].Split(',');
        first[1].ShouldBe("chat");
        first[6].ShouldBe("success");
        DateTimeOffset.Parse(first[7], System.Globalization.CultureInfo.InvariantCulture).ShouldBe(UsageKit.Base.AddSeconds(129));
        first[9].ShouldBe(apiKey.ToString());

        // The same rows as the JSON pages, id for id.
        var json = await fixture.GetJsonAsync(key, "/api/v1/ai/usage?page_size=100");
        json["records"]!.AsArray().Select(r => r!["id"]!.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture))
            .ShouldBe(rows.Take(100).Select(r => r.Split(',')[0]));
    }

    [Fact]
    public async Task Accept_text_csv_asks_for_the_export_and_filters_apply()
    {
        var (account, key) = await fixture.CreateAccountAsync();
        await fixture.PublishAsync(
            UsageKit.Completed(account, Guid.NewGuid(), "chat", UsageKit.Base),
            UsageKit.Completed(account, Guid.NewGuid(), "tts", UsageKit.Base.AddDays(2)));

        var result = await fixture.Host.Scenario(s =>
        {
            s.Get.Url($"/api/v1/ai/usage?to={UsageKit.Q(UsageKit.Base.AddDays(1))}");
            s.WithApiKey(key);
            s.WithRequestHeader("Accept", "text/csv");
        });
        result.Context.Response.ContentType.ShouldBe("text/csv; charset=utf-8");
        var lines = (await result.ReadAsTextAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(2);
        lines[1].Split(',')[1].ShouldBe("chat");
        result.Context.Response.Headers.ContentDisposition.ToString().ShouldContain("usage.csv");
    }

    [Fact]
    public async Task Text_fields_are_quoted_and_guarded_against_spreadsheet_formulas()
    {
        var (account, key) = await fixture.CreateAccountAsync();
        await fixture.PublishAsync(
            UsageKit.Completed(account, Guid.NewGuid(), "chat", UsageKit.Base, model: "llama, \"large\"\nedition"),
            UsageKit.Completed(account, Guid.NewGuid(), "chat", UsageKit.Base.AddSeconds(1), model: "=HYPERLINK(\"x\")"));

        var text = await (await fixture.Host.Scenario(s =>
        {
            s.Get.Url("/api/v1/ai/usage?format=csv");
            s.WithApiKey(key);
        })).ReadAsTextAsync();
        text.ShouldContain(",\"'=HYPERLINK(\"\"x\"\")\",");
        text.ShouldContain(",\"llama, \"\"large\"\"\nedition\",");
    }
}
