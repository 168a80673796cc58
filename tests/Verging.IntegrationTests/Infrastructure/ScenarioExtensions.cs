using System.Text.Json.Nodes;
using Alba;

namespace Verging.IntegrationTests.Infrastructure;

public static class ScenarioExtensions
{
    public static void WithApiKey(this Scenario scenario, string apiKey) =>
        scenario.WithRequestHeader("Authorization", $"ApiKey {apiKey}");

    /// <summary>Sends exactly this text as an application/json body (the wire format under test).</summary>
    public static void JsonBody(this Scenario scenario, string json) =>
        scenario.ConfigureHttpContext(c =>
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(json);
            c.Request.Body = new MemoryStream(bytes);
            c.Request.ContentLength = bytes.Length;
            c.Request.ContentType = "application/json";
        });

    public static async Task<JsonNode> Json(this IScenarioResult result) =>
        JsonNode.Parse(await result.ReadAsTextAsync())!;

    /// <summary>Asserts the body is exactly the public error shape with this code, and returns the message.</summary>
    public static async Task<string> ShouldBeError(this IScenarioResult result, int errorCode)
    {
        var text = await result.ReadAsTextAsync();
        var json = JsonNode.Parse(text)!.AsObject();
        json.Select(p => p.Key).Order().ToArray().ShouldBe(new[] { "error_code", "message", "upstream_error" }, customMessage: $"body: {text}");
        json["error_code"]!.GetValue<int>().ShouldBe(errorCode, text);
        text.ShouldNotContain("   at ", customMessage: "no stack trace");
        return json["message"]!.GetValue<string>();
    }

    /// <summary>The key's account balance and frozen credits, as <c>GET /api/v1/credits</c> reports them.</summary>
    public static async Task<(long Balance, long Frozen)> CreditsOfAsync(this IAlbaHost host, string key)
    {
        var json = await (await host.Scenario(s => { s.Get.Url("/api/v1/credits"); s.WithApiKey(key); })).Json();
        return (json["balance"]!.GetValue<long>(), json["frozen"]!.GetValue<long>());
    }
}
