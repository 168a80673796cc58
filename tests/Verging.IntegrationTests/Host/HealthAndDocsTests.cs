using Verging.IntegrationTests.Infrastructure;

namespace Verging.IntegrationTests.Host;

[Collection(SharedHostCollection.Name)]
public sealed class HealthAndDocsTests(VergingHost fixture)
{
    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health_endpoints_answer_without_a_key(string url)
    {
        var result = await fixture.Host.Scenario(s =>
        {
            s.Get.Url(url);
            s.StatusCodeShouldBe(200);
        });
        (await result.Json())["status"]!.GetValue<string>().ShouldBe("healthy");
    }

    [Fact]
    public async Task Ready_checks_postgresql()
    {
        var result = await fixture.Host.Scenario(s => s.Get.Url("/health/ready"));
        (await result.Json())["checks"]!["postgres"]!.GetValue<string>().ShouldBe("healthy");
    }

    [Fact]
    public async Task The_openapi_document_describes_the_public_endpoints()
    {
        var result = await fixture.Host.Scenario(s =>
        {
            s.Get.Url("/openapi/v1.json");
            s.WithRequestHeader("Host", "evil.example");
            s.StatusCodeShouldBe(200);
        });
        var document = await result.Json();
        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToList();
        paths.ShouldContain("/api/v1/api-keys");
        paths.ShouldContain("/api/v1/api-keys/{id}");
        paths.ShouldContain("/api/v1/api-keys/validate");

        // What a client generator needs: what is required, the limits and defaults, the answer, the errors, the key.
        var chat = document["components"]!["schemas"]!["ChatRequest"]!;
        chat["required"]!.AsArray().Select(r => r!.GetValue<string>()).ShouldBe(["messages"]);
        (chat["properties"]!["temperature"]!["minimum"]!.GetValue<double>(), chat["properties"]!["temperature"]!["maximum"]!.GetValue<double>()).ShouldBe((0, 2));
        chat["properties"]!["model"]!["default"]!.GetValue<string>().ShouldBe("gpt-4o");
        var post = document["paths"]!["/api/v1/ai/chat"]!["post"]!;
        post["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>().ShouldEndWith("/ChatResponse");
        post["responses"]!["default"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>().ShouldEndWith("/Error");
        post["security"]![0]!.AsObject().Select(p => p.Key).ShouldBe(["ApiKey"]);
        document["paths"]!["/api/v1/api-keys"]!["post"]!["responses"]!.AsObject().Select(p => p.Key).ShouldContain("201");

        // Inputs the endpoints read themselves: multipart fields, the job lists' filters.
        var stt = document["paths"]!["/api/v1/ai/stt"]!["post"]!["requestBody"]!["content"]!["multipart/form-data"]!["schema"]!;
        stt["required"]!.AsArray().Select(r => r!.GetValue<string>()).ShouldBe(["file"]);
        stt["properties"]!["response_format"]!["enum"]!.AsArray().Count.ShouldBe(5);
        document["paths"]!["/api/v1/faceswap/jobs"]!["get"]!["parameters"]!.AsArray().Select(p => p!["name"]!.GetValue<string>())
            .ShouldBe(["status", "job_ids", "page", "page_size"], ignoreOrder: true);
        document["paths"]!["/api/v1/webhooks/stripe"]!["post"]!["security"]!.AsArray().ShouldBeEmpty();

        document["components"]!["schemas"]!["GrantRequest"]!["required"]!.AsArray().Select(r => r!.GetValue<string>()).ShouldBe(["credits", "reason"], ignoreOrder: true);
        (document["paths"]!["/api/v1/api-keys"]!["post"]!["requestBody"]!["required"]?.GetValue<bool>() ?? false).ShouldBeFalse();
        document["servers"]![0]!["url"]!.GetValue<string>().ShouldNotContain("evil");

        await fixture.Host.Scenario(s => { s.Get.Url("/openapi/v2.json"); s.StatusCodeShouldBe(404); });
    }

    [Fact]
    public async Task The_docs_page_is_browsable()
    {
        var result = await fixture.Host.Scenario(s =>
        {
            s.Get.Url("/docs/");
            s.StatusCodeShouldBe(200);
        });
        var html = await result.ReadAsTextAsync();
        html.ShouldContain("<html", Case.Insensitive);
        html.ShouldContain("openapi", Case.Insensitive);
    }
}
