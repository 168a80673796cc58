using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Alba;
using Wolverine.Tracking;

namespace Verging.IntegrationTests.Jobs;

/// <summary>A job request: its form fields and files (name, bytes, file name, content type).</summary>
public sealed record JobRequest(string Path, (string Name, string Value)[] Fields, (string Name, byte[] Bytes, string FileName, string ContentType)[] Files);

/// <summary>Real multipart HTTP calls to the jobs API, and waits that follow the tracked job messages.</summary>
public sealed class JobsApi(IAlbaHost host)
{
    public async Task<(HttpStatusCode Status, JsonNode Body)> PostAsync(string key, JobRequest request)
    {
        using var client = host.Server.CreateClient();
        using var form = new MultipartFormDataContent();
        foreach (var (name, bytes, fileName, contentType) in request.Files)
        {
            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
            form.Add(content, name, fileName);
        }

        foreach (var (name, value) in request.Fields)
        {
            form.Add(new StringContent(value), name);
        }

        using var message = new HttpRequestMessage(HttpMethod.Post, request.Path) { Content = form };
        message.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", key);
        using var response = await client.SendAsync(message);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!);
    }

    /// <summary>Creates a job and waits until every message it caused (the run on the durable queue) was handled.</summary>
    public async Task<JsonNode> CreateAndRunAsync(string key, JobRequest request)
    {
        (HttpStatusCode Status, JsonNode Body) created = default;
        await host.TrackActivity().Timeout(TimeSpan.FromSeconds(120)).DoNotAssertOnExceptionsDetected()
            .ExecuteAndWaitAsync((Func<Wolverine.IMessageContext, Task>)(async _ => created = await PostAsync(key, request)));
        created.Status.ShouldBe(HttpStatusCode.OK, created.Body!.ToJsonString());
        return await GetAsync(key, created.Body!["job_id"]!.GetValue<string>());
    }

    /// <summary>Sends a POST without body (retry, cancel) and waits for the messages it caused.</summary>
    public async Task<(HttpStatusCode Status, JsonNode Body)> PostAndRunAsync(string key, string path)
    {
        (HttpStatusCode, JsonNode) answer = default;
        await host.TrackActivity().Timeout(TimeSpan.FromSeconds(120)).DoNotAssertOnExceptionsDetected()
            .ExecuteAndWaitAsync((Func<Wolverine.IMessageContext, Task>)(async _ => answer = await SendAsync(key, HttpMethod.Post, path)));
        return answer;
    }

    public async Task<(HttpStatusCode Status, JsonNode Body)> SendAsync(string key, HttpMethod method, string path)
    {
        using var client = host.Server.CreateClient();
        using var message = new HttpRequestMessage(method, path);
        message.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", key);
        using var response = await client.SendAsync(message);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!);
    }

    public async Task<JsonNode> GetAsync(string key, string jobId)
    {
        var (status, body) = await SendAsync(key, HttpMethod.Get, $"/api/v1/jobs/{jobId}");
        status.ShouldBe(HttpStatusCode.OK, body.ToJsonString());
        return body;
    }

    /// <summary>
    /// Waits for a state reached by a timer (the lease sweeper), not by a message this test sent:
    /// polls the job, bounded.
    /// </summary>
    public async Task<JsonNode> WaitForStatusAsync(string key, string jobId, string status, TimeSpan? limit = null)
    {
        var deadline = DateTime.UtcNow + (limit ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var job = await GetAsync(key, jobId);
            if (job["status"]!.GetValue<string>() == status || DateTime.UtcNow > deadline)
            {
                job["status"]!.GetValue<string>().ShouldBe(status, job.ToJsonString());
                return job;
            }

            await Task.Delay(100);
        }
    }

    public async Task<(long Balance, long Frozen)> CreditsAsync(string key)
    {
        var (_, body) = await SendAsync(key, HttpMethod.Get, "/api/v1/credits");
        return (body["balance"]!.GetValue<long>(), body["frozen"]!.GetValue<long>());
    }

    /// <summary>Downloads a signed output URL through the host (its /files route).</summary>
    public async Task<byte[]> DownloadAsync(string url)
    {
        using var client = host.Server.CreateClient();
        var response = await client.GetAsync(new Uri(url).PathAndQuery);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>POST /api/v1/uploads: returns the signed URL to pass as target_video_url.</summary>
    public async Task<string> UploadAsync(string key, byte[] file, string fileName, string contentType)
    {
        var (status, body) = await PostAsync(key, new JobRequest("/api/v1/uploads", [], [("file", file, fileName, contentType)]));
        status.ShouldBe(HttpStatusCode.OK, body.ToJsonString());
        return body["url"]!.GetValue<string>();
    }

    /// <summary>An image-to-video job of 2 s (6 credits), left pending for a worker where that type is external-only.</summary>
    public async Task<string> CreateImageToVideoAsync(string key)
    {
        var (status, created) = await PostAsync(key, new JobRequest("/api/v1/image-to-video/create-job",
            [("file_name", "still.png"), ("user_video_duration", "2")], [("image", await JobMedia.ImageAsync(), "still.png", "image/png")]));
        status.ShouldBe(HttpStatusCode.OK, created.ToJsonString());
        return created["job_id"]!.GetValue<string>();
    }

    /// <summary>A client of the worker API, with the worker token.</summary>
    public HttpClient Worker()
    {
        var client = host.Server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", JobsHost.WorkerToken);
        return client;
    }

    /// <summary>Leases the oldest waiting image-to-video job for <paramref name="workerId"/>; fails the test on anything but 200.</summary>
    public static async Task<JsonNode> LeaseAsync(HttpClient worker, string workerId, int? leaseSeconds = null)
    {
        var response = await worker.PostAsJsonAsync("/worker/v1/leases", new { job_types = new[] { "image-to-video" }, worker_id = workerId, lease_seconds = leaseSeconds });
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonNode>())!;
    }
}
