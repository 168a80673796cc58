using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Verging.IntegrationTests.Infrastructure;
using Verging.IntegrationTests.Jobs;
using Verging.SharedKernel.Blobs;

namespace Verging.IntegrationTests.Blobs;

/// <summary>With Blobs:S3 set, generated media lives in the bucket and clients still get our signed /files/ URLs.</summary>
[Collection(S3HostCollection.Name)]
public sealed class S3MediaTests(S3Host fixture)
{
    [Fact]
    public async Task Tts_audio_is_stored_in_the_bucket_and_served_through_a_signed_files_url()
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 20);
        var json = await Post(key, "/api/v1/ai/tts", """{"input":"Hello from the bucket.","voice":"nova"}""");
        var url = json["audio_url"]!.GetValue<string>();
        url.ShouldStartWith("http://localhost/files/proxy/tts/");

        var stored = fixture.S3.Objects[ObjectKey(url)];
        stored.ContentType.ShouldStartWith("audio/");
        var (bytes, contentType, length) = await Download(url);
        bytes.ShouldBe(stored.Bytes);
        contentType.ShouldBe(stored.ContentType, "the type stored with the object is the one served");
        length.ShouldBe(bytes.Length, "the size is announced, not left to chunked encoding");
        (await TestMedia.ProbeAsync(bytes)).Format.ShouldBe("mp3");
    }

    [Fact]
    public async Task Generated_images_are_stored_in_the_bucket_and_served_as_pngs()
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 20);
        var json = await Post(key, "/api/v1/ai/imagegen", """{"prompt":"a lighthouse","n":2,"size":"256x256"}""");
        foreach (var url in json["images"]!.AsArray().Select(u => u!.GetValue<string>()))
        {
            var stored = fixture.S3.Objects[ObjectKey(url)];
            var (bytes, contentType, _) = await Download(url);
            bytes.ShouldBe(stored.Bytes);
            (contentType, stored.ContentType).ShouldBe(("image/png", "image/png"));
        }
    }

    [Fact]
    public async Task A_job_reads_its_upload_from_the_bucket_and_leaves_its_output_there()
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 100);
        var jobs = new JobsApi(fixture.Host);
        var video = await JobMedia.VideoAsync(2);
        var upload = await jobs.UploadAsync(key, video, "clip.mp4", "video/mp4");
        var uploaded = fixture.S3.Objects[ObjectKey(upload)];
        uploaded.Bytes.ShouldBe(video);
        uploaded.ContentType.ShouldBe("video/mp4");

        var job = await jobs.CreateAndRunAsync(key, new JobRequest("/api/v1/video-enhance/create-job",
            [("file_name", "clip.mp4"), ("target_video_url", upload), ("user_video_duration", "2")], []));

        job["status"]!.GetValue<string>().ShouldBe("completed", job.ToJsonString());
        var output = job["outputs"]![0]!;
        var stored = fixture.S3.Objects[ObjectKey(output["url"]!.GetValue<string>())];
        (await jobs.DownloadAsync(output["url"]!.GetValue<string>())).ShouldBe(stored.Bytes);
        (await Verging.SharedKernel.Media.MediaProbe.ProbeAsync(stored.Bytes, CancellationToken.None))!.Width.ShouldBe(320);
    }

    [Fact]
    public async Task An_external_worker_output_uploaded_to_the_bucket_completes_the_job_with_its_real_size()
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 20);
        var jobs = new JobsApi(fixture.Host);
        var (status, created) = await jobs.PostAsync(key, new JobRequest("/api/v1/image-to-video/create-job",
            [("file_name", "still.png"), ("user_video_duration", "2")], [("image", await JobMedia.ImageAsync(), "still.png", "image/png")]));
        status.ShouldBe(HttpStatusCode.OK, created.ToJsonString());
        var id = created["job_id"]!.GetValue<string>();

        using var worker = fixture.Host.Server.CreateClient();
        worker.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", S3Host.WorkerToken);
        var leased = await worker.PostAsJsonAsync("/worker/v1/leases", new { job_types = new[] { "image-to-video" }, worker_id = "gpu-s3" });
        leased.StatusCode.ShouldBe(HttpStatusCode.OK, await leased.Content.ReadAsStringAsync());
        var input = (await leased.Content.ReadFromJsonAsync<JsonNode>())!["inputs"]!["image_url"]!.GetValue<string>();
        fixture.S3.Objects.ShouldContainKey(ObjectKey(input), "the job's input image was stored in the bucket");

        var video = await JobMedia.VideoAsync(1);
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(video);
        file.Headers.ContentType = new MediaTypeHeaderValue("video/mp4");
        form.Add(file, "file", "out.mp4");
        var uploaded = await worker.PostAsync($"/worker/v1/jobs/{id}/outputs?attempt=1&worker_id=gpu-s3", form);
        var outputId = (await uploaded.Content.ReadFromJsonAsync<JsonNode>())!["output_id"]!.GetValue<string>();
        (await worker.PostAsJsonAsync($"/worker/v1/jobs/{id}/complete",
            new { attempt = 1, worker_id = "gpu-s3", outputs = new[] { new { name = "video", output_id = outputId, content_type = "video/mp4" } } }))
            .EnsureSuccessStatusCode();

        var job = await jobs.GetAsync(key, id);
        job["status"]!.GetValue<string>().ShouldBe("completed", job.ToJsonString());
        var output = job["outputs"]![0]!;
        output["size"]!.GetValue<long>().ShouldBe(video.Length, "the size is the Length of the object opened from the bucket");
        fixture.S3.Objects[ObjectKey(output["url"]!.GetValue<string>())].Bytes.ShouldBe(video);
        (await jobs.DownloadAsync(output["url"]!.GetValue<string>())).ShouldBe(video);
    }

    [Fact]
    public async Task A_signed_url_to_an_object_not_in_the_bucket_is_404()
    {
        var signer = fixture.Service<BlobUrlSigner>();
        var (url, _) = signer.SignedUrl(new DefaultHttpContext { Request = { Scheme = "http", Host = new HostString("localhost") } }.Request,
            "proxy/tts/2026/01/01/0000000000000000000000000000dead.mp3");
        var result = await fixture.Host.Scenario(s => { s.Get.Url(new Uri(url).PathAndQuery); s.StatusCodeShouldBe(404); });
        await result.ShouldBeError(40400);
    }

    [Fact]
    public async Task No_s3_credential_appears_in_any_log_line_even_when_the_bucket_fails()
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 20);
        await Post(key, "/api/v1/ai/tts", """{"input":"Logged?"}""");
        fixture.S3.Failing = true;
        try
        {
            var failed = await fixture.Host.Scenario(s => { s.Post.Url("/api/v1/ai/imagegen"); s.JsonBody("""{"prompt":"x","size":"256x256"}"""); s.WithApiKey(key); s.StatusCodeShouldBe(500); });
            (await failed.ReadAsTextAsync()).ShouldNotContain(S3Host.SecretKey);
        }
        finally
        {
            fixture.S3.Failing = false;
        }

        fixture.Logs.Lines.ShouldContain(l => l.Contains($"S3 bucket {S3Host.Bucket}", StringComparison.Ordinal), "the host logged which store it uses");
        fixture.Logs.Lines.ShouldContain(l => l.Contains("InternalError", StringComparison.Ordinal) || l.Contains("internal error", StringComparison.OrdinalIgnoreCase), "the outage was logged");
        foreach (var line in fixture.Logs.Lines)
        {
            line.ShouldNotContain(S3Host.SecretKey);
            line.ShouldNotContain(S3Host.AccessKey);
        }
    }

    /// <summary>The object behind one of our /files/ URLs: the store's prefix plus the URL's key.</summary>
    private static string ObjectKey(string url) => $"{S3Host.Prefix}/{Uri.UnescapeDataString(new Uri(url).AbsolutePath["/files/".Length..])}";

    private async Task<JsonNode> Post(string key, string url, string body) =>
        await (await fixture.Host.Scenario(s => { s.Post.Url(url); s.JsonBody(body); s.WithApiKey(key); s.StatusCodeShouldBe(200); })).Json();

    private async Task<(byte[] Bytes, string? ContentType, long? Length)> Download(string url)
    {
        var result = await fixture.Host.Scenario(s => { s.Get.Url(new Uri(url).PathAndQuery); s.StatusCodeShouldBe(200); });
        using var buffer = new MemoryStream();
        await result.Context.Response.Body.CopyToAsync(buffer);
        return (buffer.ToArray(), result.Context.Response.ContentType, result.Context.Response.ContentLength);
    }
}
