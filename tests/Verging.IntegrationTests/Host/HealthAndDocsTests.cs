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
            s.StatusCodeShouldBe(200);
        });
        var paths = (await result.Json())["paths"]!.AsObject().Select(p => p.Key).ToList();
        paths.ShouldContain("/api/v1/api-keys");
        paths.ShouldContain("/api/v1/api-keys/{id}");
        paths.ShouldContain("/api/v1/api-keys/validate");
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
