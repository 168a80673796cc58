using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Verging.IntegrationTests.Jobs;

/// <summary>Cancel, restart mid-job, and external workers with expiring leases.</summary>
[Collection(ControlledJobsCollection.Name)]
public sealed class JobRecoveryTests(ControlledJobsHost fixture)
{
    private JobsApi Api => fixture.Api;

    private static async Task<JobRequest> BackgroundRemoval() => new("/api/v1/background-removal/create-job",
        [("file_name", "photo.png")], [("image", await JobMedia.ImageAsync(), "photo.png", "image/png")]);

    [Fact]
    public async Task Cancelling_a_processing_job_stops_it_and_releases_its_credits()
    {
        HeldProcessor.Reset();
        var (_, key) = await fixture.CreateAccountAsync(credits: 5);
        var (status, created) = await Api.PostAsync(key, await BackgroundRemoval());
        status.ShouldBe(HttpStatusCode.OK);
        await HeldProcessor.Started.WaitAsync(TimeSpan.FromSeconds(30));
        var id = created["job_id"]!.GetValue<string>();
        (await Api.CreditsAsync(key)).ShouldBe((5, 1));

        var (cancelStatus, cancelled) = await Api.SendAsync(key, HttpMethod.Post, $"/api/v1/jobs/{id}/cancel");

        cancelStatus.ShouldBe(HttpStatusCode.OK, cancelled.ToJsonString());
        cancelled["status"]!.GetValue<string>().ShouldBe("cancelled");
        (await Api.CreditsAsync(key)).ShouldBe((5, 0));
        (await Api.SendAsync(key, HttpMethod.Post, $"/api/v1/jobs/{id}/cancel")).Status.ShouldBe(HttpStatusCode.Conflict);
        HeldProcessor.ReleaseAll();
    }

    [Fact]
    public async Task A_job_running_when_the_instance_stops_is_finished_by_the_next_one()
    {
        HeldProcessor.Reset();
        var (_, key) = await fixture.CreateAccountAsync(credits: 5);
        var (_, created) = await Api.PostAsync(key, await BackgroundRemoval());
        await HeldProcessor.Started.WaitAsync(TimeSpan.FromSeconds(30));
        var id = created["job_id"]!.GetValue<string>();
        (await Api.GetAsync(key, id))["status"]!.GetValue<string>().ShouldBe("processing");

        await fixture.RestartAsync();
        HeldProcessor.ReleaseAll();

        // The stopped instance's lease runs out; the new instance's sweeper queues the job again and runs it.
        var job = await fixture.Api.WaitForStatusAsync(key, id, "completed");
        job["attempt"]!.GetValue<int>().ShouldBe(1);
        job["credits_consumed"]!.GetValue<long>().ShouldBe(1);
        (await fixture.Api.CreditsAsync(key)).ShouldBe((4, 0));
    }

    [Fact]
    public async Task An_external_worker_leases_reports_and_completes_a_job()
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 20);
        var id = await Api.CreateImageToVideoAsync(key);
        using var worker = Api.Worker();

        var lease = await JobsApi.LeaseAsync(worker, "gpu-1", leaseSeconds: 120);
        lease["job_id"]!.GetValue<string>().ShouldBe(id);
        lease["inputs"]!["image_url"]!.GetValue<string>().ShouldContain("/files/");
        (await worker.PostAsJsonAsync($"/worker/v1/jobs/{id}/heartbeat", new { attempt = 1, worker_id = "gpu-1", progress = 50 })).EnsureSuccessStatusCode();
        (await Api.GetAsync(key, id))["progress"]!.GetValue<int>().ShouldBe(50);

        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(await JobMedia.VideoAsync(1));
        file.Headers.ContentType = new MediaTypeHeaderValue("video/mp4");
        form.Add(file, "file", "out.mp4");
        var uploaded = await (await worker.PostAsync($"/worker/v1/jobs/{id}/outputs?attempt=1&worker_id=gpu-1", form)).Content.ReadFromJsonAsync<JsonNode>();
        var outputId = uploaded!["output_id"]!.GetValue<string>();

        // Someone else cannot report on this lease.
        (await worker.PostAsJsonAsync($"/worker/v1/jobs/{id}/complete", new { attempt = 1, worker_id = "intruder", outputs = new[] { new { name = "video", output_id = outputId, content_type = "video/mp4" } } }))
            .StatusCode.ShouldBe(HttpStatusCode.Conflict);

        // An output id must be a file this job's uploads made: a path out of the job's folder is a 400, not a 500.
        foreach (var escape in new[] { $"jobs/{Guid.Parse(id):N}/../../../etc/passwd", $"jobs/{Guid.Parse(id):N}/sub/x.mp4", $"jobs/{Guid.Parse(id):N}/" })
        {
            var refused = await worker.PostAsJsonAsync($"/worker/v1/jobs/{id}/complete", new { attempt = 1, worker_id = "gpu-1", outputs = new[] { new { name = "video", output_id = escape, content_type = "video/mp4" } } });
            refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest, escape);
            (await refused.Content.ReadAsStringAsync()).ShouldContain("outputs:");
        }

        foreach (var body in new[] { """{"attempt":1,"worker_id":"gpu-1","outputs":[null]}""", """{"attempt":1,"worker_id":"gpu-1","outputs":[{"name":"video"}]}""" })
        {
            using var json = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
            (await worker.PostAsync($"/worker/v1/jobs/{id}/complete", json)).StatusCode.ShouldBe(HttpStatusCode.BadRequest, body);
        }

        (await worker.PostAsJsonAsync($"/worker/v1/jobs/{id}/complete", new { attempt = 1, worker_id = "gpu-1", outputs = new[] { new { name = "video", output_id = outputId, content_type = "video/mp4" } } }))
            .EnsureSuccessStatusCode();

        var job = await Api.GetAsync(key, id);
        job["status"]!.GetValue<string>().ShouldBe("completed");
        (await Api.DownloadAsync(job["outputs"]![0]!["url"]!.GetValue<string>())).Length.ShouldBeGreaterThan(100);
        (await Api.CreditsAsync(key)).ShouldBe((14, 0));
    }

    [Fact]
    public async Task A_lease_that_is_not_renewed_expires_and_the_job_is_leased_again()
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 20);
        var id = await Api.CreateImageToVideoAsync(key);
        using var worker = Api.Worker();
        var first = await JobsApi.LeaseAsync(worker, "gpu-lost", leaseSeconds: 5);
        first["job_id"]!.GetValue<string>().ShouldBe(id);
        (await Api.GetAsync(key, id))["status"]!.GetValue<string>().ShouldBe("processing");

        await Api.WaitForStatusAsync(key, id, "pending", TimeSpan.FromSeconds(30));
        var second = await JobsApi.LeaseAsync(worker, "gpu-2", leaseSeconds: 120);
        second["job_id"]!.GetValue<string>().ShouldBe(id);
        (await worker.PostAsJsonAsync($"/worker/v1/jobs/{id}/heartbeat", new { attempt = 1, worker_id = "gpu-lost" }))
            .StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await worker.PostAsJsonAsync($"/worker/v1/jobs/{id}/fail", new { attempt = 1, worker_id = "gpu-2", reason = "GPU out of memory" }))
            .EnsureSuccessStatusCode();
        (await Api.GetAsync(key, id))["error"]!.GetValue<string>().ShouldBe("GPU out of memory");
        (await Api.CreditsAsync(key)).ShouldBe((20, 0));
    }

    [Fact]
    public async Task The_worker_api_needs_its_token()
    {
        using var anonymous = fixture.Host.Server.CreateClient();
        (await anonymous.PostAsJsonAsync("/worker/v1/leases", new { job_types = new[] { "image-to-video" }, worker_id = "x" }))
            .StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Waiting_jobs_report_their_place_in_the_queue_and_move_up_when_one_ahead_leaves()
    {
        // Image-to-video is left to external workers here, so these jobs wait; jobs of earlier tests may wait ahead of them.
        var (_, key) = await fixture.CreateAccountAsync(credits: 100);
        var ids = new List<string>();
        var places = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            var (status, created) = await Api.PostAsync(key, new JobRequest("/api/v1/image-to-video/create-job",
                [("file_name", "still.png"), ("user_video_duration", "2")], [("image", await JobMedia.ImageAsync(), "still.png", "image/png")]));
            status.ShouldBe(HttpStatusCode.OK, created.ToJsonString());
            ids.Add(created["job_id"]!.GetValue<string>());
            places.Add(created["queue_position"]!.GetValue<long>());
        }

        places[0].ShouldBeGreaterThanOrEqualTo(1);
        places.ShouldBe([places[0], places[0] + 1, places[0] + 2]);

        // A list computes every waiting job's place in one query, in the same order.
        var (listed, list) = await Api.SendAsync(key, HttpMethod.Get, $"/api/v1/image-to-video/jobs?job_ids={string.Join(",", ids)}");
        listed.ShouldBe(HttpStatusCode.OK, list.ToJsonString());
        list["jobs"]!.AsArray().ToDictionary(j => j!["job_id"]!.GetValue<string>(), j => j!["queue_position"]!.GetValue<long>())
            .ShouldBe(ids.Zip(places).ToDictionary(p => p.First, p => p.Second), ignoreOrder: true);

        (await Api.SendAsync(key, HttpMethod.Post, $"/api/v1/jobs/{ids[0]}/cancel")).Item1.ShouldBe(HttpStatusCode.OK);
        var cancelled = await Api.GetAsync(key, ids[0]);
        cancelled["queue_position"].ShouldBeNull();
        (await Api.GetAsync(key, ids[1]))["queue_position"]!.GetValue<long>().ShouldBe(places[0]);
        (await Api.GetAsync(key, ids[2]))["queue_position"]!.GetValue<long>().ShouldBe(places[0] + 1);

        foreach (var id in ids.Skip(1))
        {
            (await Api.SendAsync(key, HttpMethod.Post, $"/api/v1/jobs/{id}/cancel")).Item1.ShouldBe(HttpStatusCode.OK);
        }
    }
}
