using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Verging.IntegrationTests.Infrastructure;

namespace Verging.IntegrationTests.Jobs;

/// <summary>Without Jobs:WorkerToken the worker API does not exist: every method and body is 404.</summary>
[Collection(SharedHostCollection.Name)]
public sealed class WorkerApiDisabledTests(VergingHost fixture)
{
    [Theory]
    [InlineData("GET", "/worker/v1/leases", null)]
    [InlineData("POST", "/worker/v1/leases", """{"job_types":["face-swap"],"worker_id":"w"}""")]
    [InlineData("POST", "/worker/v1/leases", """{"job_types":""")]
    [InlineData("DELETE", "/worker/v1/jobs/00000000-0000-0000-0000-000000000001/complete", null)]
    public async Task Every_worker_route_is_404_without_a_configured_token(string method, string url, string? body)
    {
        using var client = fixture.Host.Server.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", JobsHost.WorkerToken);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound, text);
        JsonNode.Parse(text)!["error_code"]!.GetValue<int>().ShouldBe(40400);
    }
}

/// <summary>With a token configured, the token is checked before the body is read.</summary>
[Collection(JobsCollection.Name)]
public sealed class WorkerApiTokenTests(JobsHost fixture)
{
    [Fact]
    public async Task A_malformed_body_without_the_token_is_401_not_a_json_error()
    {
        var result = await fixture.Host.Scenario(s =>
        {
            s.Post.Url("/worker/v1/leases");
            s.Body.TextIs("""{"job_types":""");
            s.WithRequestHeader("Content-Type", "application/json");
            s.StatusCodeShouldBe(401);
        });
        (await result.ShouldBeError(40100)).ShouldBe("Invalid or missing worker token");
    }
}
