using System.Text;
using Verging.IntegrationTests.Infrastructure;

namespace Verging.IntegrationTests.Host;

[Collection(SharedHostCollection.Name)]
public sealed class ErrorFormatTests(VergingHost fixture)
{
    [Fact]
    public async Task An_unknown_route_is_404_in_the_error_format()
    {
        var (_, key) = await fixture.CreateAccountAsync();
        var result = await fixture.Host.Scenario(s =>
        {
            s.Get.Url("/api/v1/no-such-thing");
            s.WithApiKey(key);
            s.StatusCodeShouldBe(404);
        });
        (await result.ShouldBeError(40400)).ShouldBe("No route matches GET /api/v1/no-such-thing");

        var anonymous = await fixture.Host.Scenario(s =>
        {
            s.Get.Url("/nothing/here");
            s.StatusCodeShouldBe(404);
        });
        await anonymous.ShouldBeError(40400);
    }

    [Fact]
    public async Task A_wrong_method_is_405_in_the_error_format()
    {
        var (_, key) = await fixture.CreateAccountAsync();
        var result = await fixture.Host.Scenario(s =>
        {
            s.Get.Url("/api/v1/api-keys/validate");
            s.WithApiKey(key);
            s.StatusCodeShouldBe(405);
        });
        await result.ShouldBeError(40500);
    }

    [Theory]
    [InlineData("{\"name\": ")]
    [InlineData("{\"name\": 12}")]
    [InlineData("[1,2,3]")]
    [InlineData("not json at all")]
    public async Task Malformed_json_is_400_in_the_error_format(string body)
    {
        var (_, key) = await fixture.CreateAccountAsync();
        var result = await fixture.Host.Scenario(s =>
        {
            s.Post.Url("/api/v1/api-keys");
            s.JsonBody(body);
            s.WithApiKey(key);
            s.StatusCodeShouldBe(400);
        });
        var message = await result.ShouldBeError(40000);
        message.ShouldStartWith("Malformed JSON");
        message.ShouldNotContain("System.");

        // The client's mistake is logged, but not as an error with a stack trace.
        var logged = fixture.Logs.Lines.Where(l => l.Contains("deserialize JSON from incoming HTTP body at /api/v1/api-keys")).ToList();
        logged.ShouldNotBeEmpty();
        logged.ShouldAllBe(l => l.StartsWith("Information ") && !l.Contains("   at "));
    }

    [Fact]
    public async Task A_null_body_is_400()
    {
        var (_, key) = await fixture.CreateAccountAsync();
        var result = await fixture.Host.Scenario(s =>
        {
            s.Post.Url("/api/v1/api-keys");
            s.JsonBody("null");
            s.WithApiKey(key);
            s.StatusCodeShouldBe(400);
        });
        (await result.ShouldBeError(40000)).ShouldBe("Request body is required");
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("br, gzip")]
    public async Task A_compressed_body_is_415_naming_the_coding_and_costs_nothing(string coding)
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 10);
        var result = await fixture.Host.Scenario(s =>
        {
            s.Post.Url("/api/v1/ai/chat");
            s.Body.TextIs("""{"messages":[{"role":"user","content":"hi"}]}""");
            s.WithRequestHeader("Content-Type", "application/json");
            s.WithRequestHeader("Content-Encoding", coding);
            s.WithApiKey(key);
            s.StatusCodeShouldBe(415);
            s.Header("Accept-Encoding").SingleValueShouldEqual("identity");
        });
        (await result.ShouldBeError(41500)).ShouldBe($"Content-Encoding {coding} is not supported: send the request body uncompressed");
        (await fixture.Host.CreditsOfAsync(key)).ShouldBe((10, 0));
    }

    [Theory]
    [InlineData("/api/v1/ai/usage?page=1&page=2", "page")]
    [InlineData("/api/v1/faceswap/jobs?status=failed&status=completed", "status")]
    [InlineData("/api/v1/credits/transactions?page_size=5&type=settle&page_size=50", "page_size")]
    public async Task A_query_parameter_given_twice_is_400_naming_it(string url, string name)
    {
        var (_, key) = await fixture.CreateAccountAsync();
        var result = await fixture.Host.Scenario(s =>
        {
            s.Get.Url(url);
            s.WithApiKey(key);
            s.StatusCodeShouldBe(400);
        });
        (await result.ShouldBeError(40000)).ShouldBe($"{name}: given more than once; give it once (lists are comma-separated)");
    }

    [Theory]
    [InlineData("/api/v1/ai/usage?service_type=chat%00", "service_type")]
    [InlineData("/api/v1/jobs?status%00=failed", "(unreadable)")]
    public async Task A_query_parameter_with_nul_is_400(string url, string name)
    {
        var (_, key) = await fixture.CreateAccountAsync();
        var result = await fixture.Host.Scenario(s =>
        {
            s.Get.Url(url);
            s.WithApiKey(key);
            s.StatusCodeShouldBe(400);
        });
        (await result.ShouldBeError(40000)).ShouldBe($"{name}: must not contain NUL (%00)");
    }

    [Fact]
    public async Task An_identity_content_encoding_is_no_coding_at_all()
    {
        var (_, key) = await fixture.CreateAccountAsync();
        await fixture.Host.Scenario(s =>
        {
            s.Post.Url("/api/v1/api-keys");
            s.Body.TextIs("""{"name":"plain"}""");
            s.WithRequestHeader("Content-Type", "application/json");
            s.WithRequestHeader("Content-Encoding", "Identity");
            s.WithApiKey(key);
            s.StatusCodeShouldBe(201);
        });
    }

    [Theory]
    [InlineData("application/JSON")]
    [InlineData("Application/Json; charset=UTF-8")]
    public async Task The_json_media_type_is_matched_without_regard_to_case(string contentType)
    {
        var (_, key) = await fixture.CreateAccountAsync();
        var result = await fixture.Host.Scenario(s =>
        {
            s.Post.Url("/api/v1/api-keys");
            s.Body.TextIs("""{"name":"cased"}""");
            s.WithRequestHeader("Content-Type", contentType);
            s.WithApiKey(key);
            s.StatusCodeShouldBe(201);
        });
        (await result.ReadAsJsonAsync<System.Text.Json.Nodes.JsonObject>())!["name"]!.GetValue<string>().ShouldBe("cased");
    }

    [Theory]
    [InlineData("""{"prompt":"x","n":"2"}""", "/api/v1/ai/imagegen", "$.n")]
    [InlineData("""{"messages":[{"role":"user","content":"x"}],"max_tokens":"5"}""", "/api/v1/ai/chat", "$.max_tokens")]
    [InlineData("""{"messages":[{"role":"user","content":"x"}],"temperature":"1"}""", "/api/v1/ai/chat", "$.temperature")]
    public async Task A_number_sent_as_a_string_is_400_naming_the_field(string body, string url, string path)
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 100);
        var result = await fixture.Host.Scenario(s =>
        {
            s.Post.Url(url);
            s.JsonBody(body);
            s.WithApiKey(key);
            s.StatusCodeShouldBe(400);
        });
        (await result.ShouldBeError(40000)).ShouldContain(path);
        (await fixture.Host.CreditsOfAsync(key)).ShouldBe((100L, 0L));
    }

    [Theory]
    [InlineData("/api/v1/ai/stt")]
    [InlineData("/api/v1/ai/vision/upload")]
    [InlineData("/api/v1/background-removal/create-job")]
    public async Task A_multipart_body_cut_off_before_its_closing_boundary_is_400(string url)
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 100);
        var result = await fixture.Host.Scenario(s =>
        {
            s.Post.Url(url);
            s.Body.TextIs("--XYZ\r\nContent-Disposition: form-data; name=\"file_name\"\r\n\r\np.png\r\n--XY");
            s.WithRequestHeader("Content-Type", "multipart/form-data; boundary=XYZ");
            s.WithApiKey(key);
            s.StatusCodeShouldBe(400);
        });
        (await result.ShouldBeError(40000)).ShouldStartWith("Malformed multipart body");
        (await fixture.Host.CreditsOfAsync(key)).ShouldBe((100L, 0L));
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_415()
    {
        var (_, key) = await fixture.CreateAccountAsync();
        var result = await fixture.Host.Scenario(s =>
        {
            s.Post.Url("/api/v1/api-keys");
            s.Body.TextIs("name=x");
            s.WithApiKey(key);
            s.StatusCodeShouldBe(415);
        });
        await result.ShouldBeError(41500);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413_with_or_without_content_length()
    {
        var (_, key) = await fixture.CreateAccountAsync();
        var huge = "{\"name\":\"" + new string('x', 2 * 1024 * 1024) + "\"}";

        var declared = await fixture.Host.Scenario(s =>
        {
            s.Post.Url("/api/v1/api-keys");
            s.JsonBody(huge);
            s.WithApiKey(key);
            s.StatusCodeShouldBe(413);
        });
        (await declared.ShouldBeError(41300)).ShouldContain("too large");

        var chunked = await fixture.Host.Scenario(s =>
        {
            s.Post.Url("/api/v1/api-keys");
            s.ConfigureHttpContext(c =>
            {
                c.Request.ContentType = "application/json";
                c.Request.ContentLength = null;
                c.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(huge));
            });
            s.WithApiKey(key);
            s.StatusCodeShouldBe(413);
        });
        await chunked.ShouldBeError(41300);
    }

    [Fact]
    public async Task An_unhandled_exception_is_500_without_a_stack_trace()
    {
        var result = await fixture.Host.Scenario(s =>
        {
            s.Get.Url(FaultEndpoint.Route);
            s.StatusCodeShouldBe(500);
        });
        var message = await result.ShouldBeError(50000);
        message.ShouldStartWith("Internal server error");
        message.ShouldNotContain("boom");
        (await result.ReadAsTextAsync()).ShouldNotContain("Verging.Secret");
    }
}
