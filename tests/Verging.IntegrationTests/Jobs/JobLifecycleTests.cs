using System.Net;
using Verging.IntegrationTests.Infrastructure;
using Verging.IntegrationTests.Jobs.Processors;

namespace Verging.IntegrationTests.Jobs;

/// <summary>Every job type end to end through the API on tiny real media, with its credits.</summary>
[Collection(JobsCollection.Name)]
public sealed class JobLifecycleTests(JobsHost fixture)
{
    private JobsApi Api => fixture.Api;

    [Fact]
    public async Task Video_enhance_upscales_an_uploaded_video_and_charges_its_measured_seconds()
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 100);
        var url = await Api.UploadAsync(key, await JobMedia.VideoAsync(2), "clip.mp4", "video/mp4");

        var job = await Api.CreateAndRunAsync(key, new JobRequest("/api/v1/video-enhance/create-job",
            [("file_name", "clip.mp4"), ("target_video_url", url), ("user_video_duration", "2")], []));

        job["status"]!.GetValue<string>().ShouldBe("completed", job.ToJsonString());
        job["job_type"]!.GetValue<string>().ShouldBe("video-enhance");
        job["progress"]!.GetValue<int>().ShouldBe(100);
        job["credits_frozen"]!.GetValue<long>().ShouldBe(6);
        job["credits_consumed"]!.GetValue<long>().ShouldBe(6);
        job["measured_duration"]!.GetValue<double>().ShouldBeInRange(1.9, 2.2);
        var output = await Api.DownloadAsync(job["outputs"]![0]!["url"]!.GetValue<string>());
        var probed = await Verging.SharedKernel.Media.MediaProbe.ProbeAsync(output, CancellationToken.None);
        probed!.Format.ShouldContain("mp4");
        probed.Width.ShouldBe(320); // 2× of 160×120
        (await Api.CreditsAsync(key)).ShouldBe((94, 0));
    }

    [Fact]
    public async Task Image_to_video_makes_an_mp4_of_the_requested_length()
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 100);
        var job = await Api.CreateAndRunAsync(key, new JobRequest("/api/v1/image-to-video/create-job",
            [("file_name", "still.png"), ("user_video_duration", "2"), ("is_hd", "true"), ("prompt", "slow zoom in")],
            [("image", await JobMedia.ImageAsync(), "still.png", "image/png")]));

        job["status"]!.GetValue<string>().ShouldBe("completed", job.ToJsonString());
        job["credits_consumed"]!.GetValue<long>().ShouldBe(10);
        var probed = await Verging.SharedKernel.Media.MediaProbe.ProbeAsync(
            await Api.DownloadAsync(job["outputs"]![0]!["url"]!.GetValue<string>()), CancellationToken.None);
        probed!.Format.ShouldContain("mp4");
        probed.DurationSeconds.ShouldBeInRange(1.8, 2.3);
        (await Api.CreditsAsync(key)).ShouldBe((90, 0));
    }

    [Fact]
    public async Task Background_removal_returns_a_png_and_costs_one_credit()
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 10);
        var job = await Api.CreateAndRunAsync(key, new JobRequest("/api/v1/background-removal/create-job",
            [("file_name", "photo.jpg")], [("image", await JobMedia.ImageAsync(), "photo.jpg", "image/jpeg")]));

        job["status"]!.GetValue<string>().ShouldBe("completed", job.ToJsonString());
        var png = await Api.DownloadAsync(job["outputs"]![0]!["url"]!.GetValue<string>());
        png[..4].ShouldBe(new byte[] { 0x89, 0x50, 0x4E, 0x47 });
        job["user_video_duration"].ShouldBeNull();
        (await Api.CreditsAsync(key)).ShouldBe((9, 0));
    }

    [Fact]
    public async Task An_image_of_more_pixels_than_allowed_fails_before_it_is_decoded_and_costs_nothing()
    {
        // 81 megapixels in a file of ~100 kB: decoded (and cut out, as BGRA) it would take about a gigabyte.
        var (_, key) = await fixture.CreateAccountAsync(credits: 10);
        var job = await Api.CreateAndRunAsync(key, new JobRequest("/api/v1/background-removal/create-job",
            [("file_name", "big.png")], [("image", await JobMedia.PlainPngAsync(9000, 9000), "big.png", "image/png")]));

        job["status"]!.GetValue<string>().ShouldBe("failed", job.ToJsonString());
        job["error"]!.GetValue<string>().ShouldBe("The image is 9000x9000 pixels; at most 50 megapixels are accepted");
        (await Api.CreditsAsync(key)).ShouldBe((10, 0));
    }

    [Fact]
    public async Task Face_swap_blends_the_swap_face_onto_the_video_and_charges_per_second()
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 100);
        var url = await Api.UploadAsync(key, await FaceMedia.FaceVideoAsync(1.5), "face.mp4", "video/mp4");
        var swap = Path.Combine(Path.GetTempPath(), $"verging-swap-{Guid.NewGuid():N}.png");
        await FaceMedia.MakeSwapImageAsync(swap);

        var job = await Api.CreateAndRunAsync(key, new JobRequest("/api/v1/faceswap/create-job",
            [("file_name", "face.mp4"), ("target_video_url", url), ("user_video_duration", "1.5"), ("is_hd", "true")],
            [("swap_image", await File.ReadAllBytesAsync(swap), "swap.png", "image/png")]));
        File.Delete(swap);

        job["status"]!.GetValue<string>().ShouldBe("completed", job.ToJsonString());
        job["credits_consumed"]!.GetValue<long>().ShouldBe(6); // ceil(1.5 s) × 3 (HD)
        (await Api.CreditsAsync(key)).ShouldBe((94, 0));
    }

    [Fact]
    public async Task A_job_that_cannot_be_paid_is_402_and_never_exists()
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 5);
        var url = await Api.UploadAsync(key, await JobMedia.VideoAsync(1), "clip.mp4", "video/mp4");

        var (status, body) = await Api.PostAsync(key, new JobRequest("/api/v1/video-enhance/create-job",
            [("file_name", "clip.mp4"), ("target_video_url", url), ("user_video_duration", "2")], []));

        status.ShouldBe(HttpStatusCode.PaymentRequired);
        body["error_code"]!.GetValue<int>().ShouldBe(40001);
        body["message"]!.GetValue<string>().ShouldContain("Required: 6, available: 5");
        var (_, list) = await Api.SendAsync(key, HttpMethod.Get, "/api/v1/jobs");
        list["total"]!.GetValue<long>().ShouldBe(0);
        (await Api.CreditsAsync(key)).ShouldBe((5, 0));
    }

    [Fact]
    public async Task A_video_longer_than_declared_fails_the_job_and_releases_its_credits()
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 50);
        var url = await Api.UploadAsync(key, await JobMedia.VideoAsync(4), "clip.mp4", "video/mp4");

        var job = await Api.CreateAndRunAsync(key, new JobRequest("/api/v1/video-enhance/create-job",
            [("file_name", "clip.mp4"), ("target_video_url", url), ("user_video_duration", "1")], []));

        job["status"]!.GetValue<string>().ShouldBe("failed");
        job["error"]!.GetValue<string>().ShouldContain("user_video_duration was 1 s");
        job["credits_consumed"]!.GetValue<long>().ShouldBe(0);
        (await Api.CreditsAsync(key)).ShouldBe((50, 0));
    }

    [Fact]
    public async Task A_video_whose_header_understates_its_length_is_measured_by_its_frames()
    {
        // 8 s of frames whose MP4 headers claim 0.8 s: declared as 1 s, it must fail like any 8 s video declared as 1 s.
        var understated = JobMedia.WithUnderstatedDuration(await JobMedia.VideoAsync(8), 10);
        (await Verging.SharedKernel.Media.MediaProbe.ProbeAsync(understated, CancellationToken.None))!.DurationSeconds.ShouldBeLessThan(1.5);
        var (_, key) = await fixture.CreateAccountAsync(credits: 50);
        var url = await Api.UploadAsync(key, understated, "clip.mp4", "video/mp4");

        var job = await Api.CreateAndRunAsync(key, new JobRequest("/api/v1/video-enhance/create-job",
            [("file_name", "clip.mp4"), ("target_video_url", url), ("user_video_duration", "1")], []));

        job["status"]!.GetValue<string>().ShouldBe("failed", job.ToJsonString());
        job["error"]!.GetValue<string>().ShouldContain("The video is 8");
        (await Api.CreditsAsync(key)).ShouldBe((50, 0));
    }

    [Fact]
    public async Task A_failed_job_releases_and_a_retry_freezes_again_or_is_402()
    {
        var (account, key) = await fixture.CreateAccountAsync(credits: 3);
        // A test pattern has no face: face swap fails with a reason, and gives the 2 credits back.
        var url = await Api.UploadAsync(key, await JobMedia.VideoAsync(2), "clip.mp4", "video/mp4");
        var job = await Api.CreateAndRunAsync(key, new JobRequest("/api/v1/faceswap/create-job",
            [("file_name", "clip.mp4"), ("target_video_url", url), ("user_video_duration", "2")],
            [("swap_image", await FaceMedia.FaceImageAsync(), "face.png", "image/png")]));
        job["status"]!.GetValue<string>().ShouldBe("failed", job.ToJsonString());
        job["error"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
        (await Api.CreditsAsync(key)).ShouldBe((3, 0));
        var id = job["job_id"]!.GetValue<string>();

        // The retry holds the price again (then fails again and releases it again).
        var (status, retried) = await Api.PostAndRunAsync(key, $"/api/v1/faceswap/retry-job/{id}");
        status.ShouldBe(HttpStatusCode.OK, retried.ToJsonString());
        retried["attempt"]!.GetValue<int>().ShouldBe(2);
        retried["credits_frozen"]!.GetValue<long>().ShouldBe(2);
        (await Api.GetAsync(key, id))["status"]!.GetValue<string>().ShouldBe("failed");
        (await Api.CreditsAsync(key)).ShouldBe((3, 0));

        // Once the account can no longer pay, a retry is 402 and the job stays failed, holding nothing.
        await fixture.Host.Scenario(s =>
        {
            s.Post.Url($"/admin/v1/accounts/{account}/adjustments");
            s.JsonBody("""{"credits": -2, "reason": "test: leave 1 credit"}""");
            s.WithRequestHeader("Authorization", $"Bearer {VergingHost.AdminToken}");
            s.StatusCodeShouldBe(201);
        });
        var (refused, refusal) = await Api.SendAsync(key, HttpMethod.Post, $"/api/v1/faceswap/retry-job/{id}");
        refused.ShouldBe(HttpStatusCode.PaymentRequired);
        refusal["message"]!.GetValue<string>().ShouldContain("Required: 2, available: 1");
        var after = await Api.GetAsync(key, id);
        after["status"]!.GetValue<string>().ShouldBe("failed");
        after["attempt"]!.GetValue<int>().ShouldBe(2);
        (await Api.CreditsAsync(key)).ShouldBe((1, 0));

        // Through another type's endpoint the job does not exist.
        (await Api.SendAsync(key, HttpMethod.Post, $"/api/v1/video-enhance/retry-job/{id}")).Status.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Illegal_transitions_are_409_naming_the_status()
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 10);
        var job = await Api.CreateAndRunAsync(key, new JobRequest("/api/v1/background-removal/create-job",
            [("file_name", "photo.png")], [("image", await JobMedia.ImageAsync(), "photo.png", "image/png")]));
        var id = job["job_id"]!.GetValue<string>();

        var (retry, retryBody) = await Api.SendAsync(key, HttpMethod.Post, $"/api/v1/background-removal/retry-job/{id}");
        retry.ShouldBe(HttpStatusCode.Conflict);
        retryBody["error_code"]!.GetValue<int>().ShouldBe(40900);
        retryBody["message"]!.GetValue<string>().ShouldContain("is completed");

        var (cancel, cancelBody) = await Api.SendAsync(key, HttpMethod.Post, $"/api/v1/jobs/{id}/cancel");
        cancel.ShouldBe(HttpStatusCode.Conflict);
        cancelBody["message"]!.GetValue<string>().ShouldContain("is completed");
    }

    [Fact]
    public async Task Another_accounts_job_is_404_everywhere()
    {
        var (_, alice) = await fixture.CreateAccountAsync(credits: 10);
        var (_, bob) = await fixture.CreateAccountAsync(credits: 10);
        var job = await Api.CreateAndRunAsync(alice, new JobRequest("/api/v1/background-removal/create-job",
            [("file_name", "photo.png")], [("image", await JobMedia.ImageAsync(), "photo.png", "image/png")]));
        var id = job["job_id"]!.GetValue<string>();

        (await Api.SendAsync(bob, HttpMethod.Get, $"/api/v1/jobs/{id}")).Status.ShouldBe(HttpStatusCode.NotFound);
        (await Api.SendAsync(bob, HttpMethod.Post, $"/api/v1/jobs/{id}/cancel")).Status.ShouldBe(HttpStatusCode.NotFound);
        (await Api.SendAsync(bob, HttpMethod.Post, $"/api/v1/background-removal/retry-job/{id}")).Status.ShouldBe(HttpStatusCode.NotFound);
        var (_, list) = await Api.SendAsync(bob, HttpMethod.Get, $"/api/v1/background-removal/jobs?job_ids={id}");
        list["total"]!.GetValue<long>().ShouldBe(0);
        var (_, own) = await Api.SendAsync(alice, HttpMethod.Get, $"/api/v1/background-removal/jobs?job_ids={id}&status=completed");
        own["total"]!.GetValue<long>().ShouldBe(1);
    }

    [Fact]
    public async Task Lists_filter_by_status_and_job_ids_and_refuse_bad_filters()
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 10);
        var first = await Api.CreateAndRunAsync(key, new JobRequest("/api/v1/background-removal/create-job",
            [("file_name", "a.png")], [("image", await JobMedia.ImageAsync(), "a.png", "image/png")]));
        var second = await Api.CreateAndRunAsync(key, new JobRequest("/api/v1/background-removal/create-job",
            [("file_name", "b.png")], [("image", await JobMedia.ImageAsync(), "b.png", "image/png")]));
        var ids = $"{first["job_id"]},{second["job_id"]}".Replace("\"", "", StringComparison.Ordinal);

        var (_, both) = await Api.SendAsync(key, HttpMethod.Get, $"/api/v1/background-removal/jobs?job_ids={ids}");
        both["total"]!.GetValue<long>().ShouldBe(2);
        both["jobs"]![0]!["job_id"]!.ToString().ShouldBe(second["job_id"]!.ToString()); // newest first
        (await Api.SendAsync(key, HttpMethod.Get, "/api/v1/background-removal/jobs?status=failed")).Body["total"]!.GetValue<long>().ShouldBe(0);
        (await Api.SendAsync(key, HttpMethod.Get, "/api/v1/faceswap/jobs")).Body["total"]!.GetValue<long>().ShouldBe(0);

        (await Api.SendAsync(key, HttpMethod.Get, "/api/v1/faceswap/jobs?status=done")).Status.ShouldBe(HttpStatusCode.BadRequest);
        (await Api.SendAsync(key, HttpMethod.Get, "/api/v1/faceswap/jobs?job_ids=nope")).Status.ShouldBe(HttpStatusCode.BadRequest);
        var tooMany = string.Join(',', Enumerable.Range(0, 101).Select(_ => Guid.NewGuid()));
        var (status, body) = await Api.SendAsync(key, HttpMethod.Get, $"/api/v1/faceswap/jobs?job_ids={tooMany}");
        status.ShouldBe(HttpStatusCode.BadRequest);
        body["message"]!.GetValue<string>().ShouldContain("at most 100");
    }

    [Fact]
    public async Task Uploads_and_images_are_typed_by_content_and_size_limited()
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 10);
        var text = "just text, named like a picture"u8.ToArray();

        var (notImage, body) = await Api.PostAsync(key, new JobRequest("/api/v1/background-removal/create-job",
            [("file_name", "photo.png")], [("image", text, "photo.png", "image/png")]));
        notImage.ShouldBe(HttpStatusCode.UnsupportedMediaType);
        body["error_code"]!.GetValue<int>().ShouldBe(41500);

        var huge = new byte[(10 * 1024 * 1024) + 1];
        (await JobMedia.JpegAsync()).CopyTo(huge, 0);
        var (tooBig, tooBigBody) = await Api.PostAsync(key, new JobRequest("/api/v1/background-removal/create-job",
            [("file_name", "photo.jpg")], [("image", huge, "photo.jpg", "image/jpeg")]));
        tooBig.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        tooBigBody["error_code"]!.GetValue<int>().ShouldBe(41300);

        var (upload, uploadBody) = await Api.PostAsync(key, new JobRequest("/api/v1/uploads", [], [("file", text, "clip.mp4", "video/mp4")]));
        upload.ShouldBe(HttpStatusCode.UnsupportedMediaType, uploadBody.ToJsonString());

        (await Api.CreditsAsync(key)).ShouldBe((10, 0));
        (await Api.SendAsync(key, HttpMethod.Get, "/api/v1/jobs")).Body["total"]!.GetValue<long>().ShouldBe(0);
    }

    [Fact]
    public async Task Bad_fields_and_unsafe_urls_are_400_before_any_job_exists()
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 10);
        var (missing, body) = await Api.PostAsync(key, new JobRequest("/api/v1/video-enhance/create-job", [("is_hd", "maybe")], []));
        missing.ShouldBe(HttpStatusCode.BadRequest);
        var message = body["message"]!.GetValue<string>();
        message.ShouldContain("file_name");
        message.ShouldContain("target_video_url");
        message.ShouldContain("user_video_duration");
        message.ShouldContain("is_hd");

        foreach (var url in new[] { "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/v.mp4", "file:///etc/passwd", "http://[::ffff:192.168.0.1]/v.mp4" })
        {
            var (status, refused) = await Api.PostAsync(key, new JobRequest("/api/v1/video-enhance/create-job",
                [("file_name", "v.mp4"), ("target_video_url", url), ("user_video_duration", "3")], []));
            status.ShouldBe(HttpStatusCode.BadRequest, url);
            refused["message"]!.GetValue<string>().ShouldContain("target_video_url", Case.Insensitive);
        }

        // A file name is text for people and workers: no control characters (a CR/LF would reach a worker's
        // headers or logs); its limit counts characters as code points, like TTS input.
        foreach (var (name, problem) in new[] { ("clip\u0001.mp4", "must not contain control characters"), ("a\r\nX-Injected: 1", "must not contain control characters"), (new string('x', 256), "at most 255") })
        {
            var (status, refused) = await Api.PostAsync(key, new JobRequest("/api/v1/video-enhance/create-job",
                [("file_name", name), ("target_video_url", "https://media.example/v.mp4"), ("user_video_duration", "3")], []));
            status.ShouldBe(HttpStatusCode.BadRequest, name);
            refused["message"]!.GetValue<string>().ShouldContain($"file_name: {problem}");
        }

        var (nulStatus, nulPrompt) = await Api.PostAsync(key, new JobRequest("/api/v1/image-to-video/create-job",
            [("file_name", "still.png"), ("user_video_duration", "3"), ("prompt", "slow\nzoom\u0000in")], []));
        nulStatus.ShouldBe(HttpStatusCode.BadRequest);
        nulPrompt["message"]!.GetValue<string>().ShouldContain("prompt: must not contain NUL");

        (await Api.CreditsAsync(key)).ShouldBe((10, 0));
        (await Api.SendAsync(key, HttpMethod.Get, "/api/v1/jobs")).Body["total"]!.GetValue<long>().ShouldBe(0);
    }
}
