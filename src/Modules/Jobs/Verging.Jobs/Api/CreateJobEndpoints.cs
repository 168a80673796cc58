using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Verging.Jobs.Contracts;
using Verging.Jobs.Domain;
using Verging.Jobs.Lifecycle;
using Verging.SharedKernel;
using Verging.SharedKernel.Blobs;
using Verging.SharedKernel.Fetching;
using Verging.SharedKernel.Media;
using Wolverine.Http;

namespace Verging.Jobs.Api;

/// <summary>What a create endpoint's form holds: the image field (if any), a video URL, a declared or requested duration.</summary>
internal sealed record CreateSpec(string JobType, string? ImageField, bool HasVideoUrl, bool HasDuration, bool HasHd, bool HasPrompt);

/// <summary>
/// POST /api/v1/&lt;type&gt;/create-job (multipart, as the reference documents). The price is frozen
/// before the job exists: a job that cannot be paid is 402 and leaves nothing behind.
/// </summary>
public static class CreateJobEndpoints
{
    private const long ImageRequestLimit = JobForm.MaxImageBytes + (64 * 1024);

    [WolverinePost("/api/v1/faceswap/create-job", Name = "CreateFaceSwapJob")]
    [RequestSizeLimit(ImageRequestLimit)]
    public static Task<IResult> FaceSwap(HttpContext http, ClaimsPrincipal user, JobCreation creation) =>
        creation.CreateAsync(http, user, new CreateSpec(JobTypes.FaceSwap, "swap_image", HasVideoUrl: true, HasDuration: true, HasHd: true, HasPrompt: false));

    [WolverinePost("/api/v1/video-enhance/create-job", Name = "CreateVideoEnhanceJob")]
    public static Task<IResult> VideoEnhance(HttpContext http, ClaimsPrincipal user, JobCreation creation) =>
        creation.CreateAsync(http, user, new CreateSpec(JobTypes.VideoEnhance, null, HasVideoUrl: true, HasDuration: true, HasHd: true, HasPrompt: false));

    [WolverinePost("/api/v1/image-to-video/create-job", Name = "CreateImageToVideoJob")]
    [RequestSizeLimit(ImageRequestLimit)]
    public static Task<IResult> ImageToVideo(HttpContext http, ClaimsPrincipal user, JobCreation creation) =>
        creation.CreateAsync(http, user, new CreateSpec(JobTypes.ImageToVideo, "image", HasVideoUrl: false, HasDuration: true, HasHd: true, HasPrompt: true));

    [WolverinePost("/api/v1/background-removal/create-job", Name = "CreateBackgroundRemovalJob")]
    [RequestSizeLimit(ImageRequestLimit)]
    public static Task<IResult> BackgroundRemoval(HttpContext http, ClaimsPrincipal user, JobCreation creation) =>
        creation.CreateAsync(http, user, new CreateSpec(JobTypes.BackgroundRemoval, "image", HasVideoUrl: false, HasDuration: false, HasHd: false, HasPrompt: false));
}

/// <summary>The shared create flow behind the four endpoints.</summary>
public sealed class JobCreation(
    JobLifecycle lifecycle, IBlobStore blobs, BlobUrlSigner signer, IRemoteMediaFetcher fetcher, IDocumentStore store, IOptions<JobsOptions> options)
{
    internal async Task<IResult> CreateAsync(HttpContext http, ClaimsPrincipal user, CreateSpec spec)
    {
        var caller = Caller.From(user);
        var (form, formError) = await JobForm.ReadAsync(http, spec.JobType);
        if (formError is not null)
        {
            return formError;
        }

        var fileName = form!.FileName();
        form.JobType();
        var isHd = spec.HasHd && form.IsHd();
        var maxSeconds = spec.JobType == JobTypes.ImageToVideo ? options.Value.MaxGeneratedSeconds : options.Value.MaxVideoSeconds;
        var duration = spec.HasDuration ? form.Duration(maxSeconds) : 0;
        var prompt = spec.HasPrompt ? form.Prompt() : null;
        var videoUrl = spec.HasVideoUrl ? form.VideoUrlText() : null;
        if (form.ProblemsError() is { } problems)
        {
            return problems;
        }

        var inputs = new JobInputs(null, null, null);
        if (videoUrl is not null)
        {
            var (resolved, urlError) = await JobForm.ResolveVideoAsync(videoUrl, signer, fetcher, http.RequestAborted);
            if (urlError is not null)
            {
                return urlError;
            }

            inputs = resolved!;
        }

        StoredBlob? image = null;
        if (spec.ImageField is { } field)
        {
            var (bytes, type, imageError) = await form.ImageAsync(field, http.RequestAborted);
            if (imageError is not null)
            {
                return imageError;
            }

            using var content = new MemoryStream(bytes!);
            image = await blobs.PutAsync("jobs/inputs", type == "jpeg" ? "jpg" : type!, content, ContentSniffer.MediaType(type!), http.RequestAborted);
            inputs = inputs with { ImageKey = image.Key };
        }

        try
        {
            var job = await lifecycle.CreateAsync(caller, new JobDraft(spec.JobType, isHd, fileName, duration, prompt, inputs), http.RequestAborted);
            await using var session = store.QuerySession();
            return Results.Json((await JobViews.ToViewsAsync([job], session, http.Request, signer))[0]);
        }
        catch (ApiErrorException)
        {
            // Not created (402): the uploaded image has no job to belong to.
            if (image is not null)
            {
                await blobs.DeleteAsync(image.Key, CancellationToken.None);
            }

            throw;
        }
    }
}
