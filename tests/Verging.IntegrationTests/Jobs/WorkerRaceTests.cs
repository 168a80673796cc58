using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Verging.Credits.Contracts;
using Verging.Jobs.Domain;

namespace Verging.IntegrationTests.Jobs;

/// <summary>
/// A worker's reports racing each other and what they leave in the ledger: a failed job is never a
/// charged one, worker text that PostgreSQL cannot store is a 400, and a lost end is recovered.
/// </summary>
[Collection(ControlledJobsCollection.Name)]
public sealed class WorkerRaceTests(ControlledJobsHost fixture)
{
    private const int Price = 6; // image-to-video, 2 s at 3 credits/s

    private JobsApi Api => fixture.Api;

    [Fact]
    public async Task Complete_and_fail_of_one_attempt_sent_together_charge_only_jobs_that_end_completed()
    {
        const int jobs = 8;
        var (_, key) = await fixture.CreateAccountAsync(credits: jobs * Price);
        var ids = new List<string>();
        for (var i = 0; i < jobs; i++)
        {
            ids.Add(await Api.CreateImageToVideoAsync(key));
        }

        using var worker = Api.Worker();
        var outputs = new Dictionary<string, string>();
        for (var i = 0; i < jobs; i++)
        {
            var leased = (await JobsApi.LeaseAsync(worker, "racer", leaseSeconds: 120))["job_id"]!.GetValue<string>();
            outputs[leased] = await UploadOutputAsync(worker, leased, "racer");
        }

        outputs.Keys.Order().ShouldBe(ids.Order());

        // Both reports of every job at once: the ledger's one answer per hold decides each race.
        var reports = ids.SelectMany(id => new[]
        {
            ReportAsync(worker, id, "complete", new { attempt = 1, worker_id = "racer", outputs = new[] { new { name = "video", output_id = outputs[id], content_type = "video/mp4" } } }),
            ReportAsync(worker, id, "fail", new { attempt = 1, worker_id = "racer", reason = "boom" }),
        }).ToList();
        var answers = await Task.WhenAll(reports);
        answers.ShouldAllBe(a => a.Status == HttpStatusCode.OK);

        var completed = 0;
        for (var i = 0; i < jobs; i++)
        {
            var job = await Api.GetAsync(key, ids[i]);
            var status = job["status"]!.GetValue<string>();
            status.ShouldBeOneOf("completed", "failed");
            job["credits_consumed"]!.GetValue<long>().ShouldBe(status == "completed" ? Price : 0, ids[i]);
            answers[2 * i].Body["status"]!.GetValue<string>().ShouldBe(status, "complete answers how the job ended");
            answers[(2 * i) + 1].Body["status"]!.GetValue<string>().ShouldBe(status, "fail answers how the job ended");
            completed += status == "completed" ? 1 : 0;
        }

        (await Api.CreditsAsync(key)).ShouldBe(((jobs - completed) * Price, 0));
    }

    [Fact]
    public async Task Worker_text_postgres_cannot_store_is_400_and_leaves_the_job_and_its_hold_as_they_were()
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: Price);
        var id = await Api.CreateImageToVideoAsync(key);
        using var worker = Api.Worker();
        (await JobsApi.LeaseAsync(worker, "gpu-nul", leaseSeconds: 120))["job_id"]!.GetValue<string>().ShouldBe(id);

        foreach (var (path, body) in new[]
        {
            ("fail", """{"attempt":1,"worker_id":"gpu-nul","reason":"x\u0000y"}"""),
            ("fail", """{"attempt":1,"worker_id":"gpu\u0000nul","reason":"x"}"""),
            ("heartbeat", """{"attempt":1,"worker_id":"gpu-nul\u0000"}"""),
            ("complete", """{"attempt":1,"worker_id":"gpu-nul","outputs":[{"name":"vi\u0000deo","output_id":"jobs/x/y.mp4"}]}"""),
        })
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            var response = await worker.PostAsync($"/worker/v1/jobs/{id}/{path}", content);
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, body);
        }

        using var nulQuery = new MultipartFormDataContent { { new ByteArrayContent([1, 2, 3]), "file", "out.mp4" } };
        (await worker.PostAsync($"/worker/v1/jobs/{id}/outputs?attempt=1&worker_id=gpu%00nul", nulQuery)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        using var nulLease = new StringContent("""{"job_types":["image-to-video"],"worker_id":"w\u0000"}""", Encoding.UTF8, "application/json");
        (await worker.PostAsync("/worker/v1/leases", nulLease)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        (await Api.GetAsync(key, id))["status"]!.GetValue<string>().ShouldBe("processing");
        (await Api.CreditsAsync(key)).ShouldBe((Price, Price));

        // An upload's own type and name are the worker's text too: kept only when well formed.
        using var odd = new MultipartFormDataContent();
        var part = new ByteArrayContent(await JobMedia.VideoAsync(1));
        part.Headers.TryAddWithoutValidation("Content-Type", "video/mp4\u0000; x=\u0000");
        odd.Add(part, "file", "out.m-p4");
        var uploaded = await worker.PostAsync($"/worker/v1/jobs/{id}/outputs?attempt=1&worker_id=gpu-nul", odd);
        uploaded.StatusCode.ShouldBe(HttpStatusCode.OK, await uploaded.Content.ReadAsStringAsync());
        var stored = (await uploaded.Content.ReadFromJsonAsync<JsonNode>())!;
        stored["output_id"]!.GetValue<string>().ShouldEndWith(".bin");
        stored["content_type"]!.GetValue<string>().ShouldBe("application/octet-stream");

        var failed = await ReportAsync(worker, id, "fail", new { attempt = 1, worker_id = "gpu-nul", reason = "line one\nline two" });
        failed.Body["status"]!.GetValue<string>().ShouldBe("failed");
        (await Api.GetAsync(key, id))["error"]!.GetValue<string>().ShouldBe("line one\nline two");
        (await Api.CreditsAsync(key)).ShouldBe((Price, 0));
    }

    [Fact]
    public async Task A_job_whose_hold_was_released_without_its_end_being_recorded_fails_instead_of_running_forever()
    {
        var (accountId, key) = await fixture.CreateAccountAsync(credits: Price);
        var id = await Api.CreateImageToVideoAsync(key);
        using var worker = Api.Worker();
        (await JobsApi.LeaseAsync(worker, "gpu-late", leaseSeconds: 120))["job_id"]!.GetValue<string>().ShouldBe(id);
        var output = await UploadOutputAsync(worker, id, "gpu-late");

        // What a crash between a failure's release and its record leaves behind.
        (await fixture.InvokeAsync<ReservationOutcome>(new ReleaseCredits(accountId, ReservationIds.For(Guid.Parse(id), 1), "test: release without a record")))
            .End.ShouldBe(ReservationEnd.Released);

        var answer = await ReportAsync(worker, id, "complete", new { attempt = 1, worker_id = "gpu-late", outputs = new[] { new { name = "video", output_id = output, content_type = "video/mp4" } } });
        answer.Body["status"]!.GetValue<string>().ShouldBe("failed");
        var job = await Api.GetAsync(key, id);
        job["status"]!.GetValue<string>().ShouldBe("failed");
        job["credits_consumed"]!.GetValue<long>().ShouldBe(0);
        (await Api.CreditsAsync(key)).ShouldBe((Price, 0));
    }

    [Fact]
    public async Task Workers_leasing_at_once_all_get_a_job_while_enough_are_waiting()
    {
        const int jobs = 14;
        var (_, key) = await fixture.CreateAccountAsync(credits: jobs * Price);
        for (var i = 0; i < jobs; i++)
        {
            await Api.CreateImageToVideoAsync(key);
        }

        using var worker = Api.Worker();
        var leases = await Task.WhenAll(Enumerable.Range(0, jobs).Select(i =>
            worker.PostAsJsonAsync("/worker/v1/leases", new { job_types = new[] { "image-to-video" }, worker_id = $"gpu-{i}", lease_seconds = 120 })));
        leases.Select(l => l.StatusCode).ShouldAllBe(s => s == HttpStatusCode.OK);
        var leased = await Task.WhenAll(leases.Select(async l => (await l.Content.ReadFromJsonAsync<JsonNode>())!["job_id"]!.GetValue<string>()));
        leased.Distinct().Count().ShouldBe(jobs);

        // Leave nothing leased for the collection's next test: fail them all (credits released).
        for (var i = 0; i < jobs; i++)
        {
            (await ReportAsync(worker, leased[i], "fail", new { attempt = 1, worker_id = $"gpu-{i}", reason = "done" })).Status.ShouldBe(HttpStatusCode.OK);
        }

        (await Api.CreditsAsync(key)).ShouldBe((jobs * Price, 0));
    }

    private static async Task<string> UploadOutputAsync(HttpClient worker, string id, string workerId)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(await JobMedia.VideoAsync(1));
        file.Headers.ContentType = new MediaTypeHeaderValue("video/mp4");
        form.Add(file, "file", "out.mp4");
        var response = await worker.PostAsync($"/worker/v1/jobs/{id}/outputs?attempt=1&worker_id={workerId}", form);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonNode>())!["output_id"]!.GetValue<string>();
    }

    private static async Task<(HttpStatusCode Status, JsonNode Body)> ReportAsync(HttpClient worker, string id, string report, object body)
    {
        var response = await worker.PostAsJsonAsync($"/worker/v1/jobs/{id}/{report}", body);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonNode.Parse(text)!);
    }
}
