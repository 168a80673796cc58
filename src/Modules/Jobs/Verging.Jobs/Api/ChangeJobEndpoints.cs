using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Verging.Jobs.Contracts;
using Verging.Jobs.Domain;
using Verging.Jobs.Lifecycle;
using Verging.Jobs.Running;
using Verging.SharedKernel;
using Verging.SharedKernel.Blobs;
using Wolverine.Http;

namespace Verging.Jobs.Api;

/// <summary>
/// Retry (failed jobs only; the price is frozen again, 402 if the account can no longer pay) and
/// cancel (pending or processing; the hold is released). Anything else is 409 naming the status.
/// </summary>
public static class ChangeJobEndpoints
{
    [WolverinePost("/api/v1/faceswap/retry-job/{job_id}", Name = "RetryFaceSwapJob")]
    public static Task<IResult> RetryFaceSwap(HttpContext http, ClaimsPrincipal user, JobLifecycle lifecycle, IQuerySession session, BlobUrlSigner signer,
        [FromRoute(Name = "job_id")] string jobId) => RetryAsync(http, user, lifecycle, session, signer, jobId, JobTypes.FaceSwap);

    [WolverinePost("/api/v1/video-enhance/retry-job/{job_id}", Name = "RetryVideoEnhanceJob")]
    public static Task<IResult> RetryVideoEnhance(HttpContext http, ClaimsPrincipal user, JobLifecycle lifecycle, IQuerySession session, BlobUrlSigner signer,
        [FromRoute(Name = "job_id")] string jobId) => RetryAsync(http, user, lifecycle, session, signer, jobId, JobTypes.VideoEnhance);

    [WolverinePost("/api/v1/image-to-video/retry-job/{job_id}", Name = "RetryImageToVideoJob")]
    public static Task<IResult> RetryImageToVideo(HttpContext http, ClaimsPrincipal user, JobLifecycle lifecycle, IQuerySession session, BlobUrlSigner signer,
        [FromRoute(Name = "job_id")] string jobId) => RetryAsync(http, user, lifecycle, session, signer, jobId, JobTypes.ImageToVideo);

    [WolverinePost("/api/v1/background-removal/retry-job/{job_id}", Name = "RetryBackgroundRemovalJob")]
    public static Task<IResult> RetryBackgroundRemoval(HttpContext http, ClaimsPrincipal user, JobLifecycle lifecycle, IQuerySession session, BlobUrlSigner signer,
        [FromRoute(Name = "job_id")] string jobId) => RetryAsync(http, user, lifecycle, session, signer, jobId, JobTypes.BackgroundRemoval);

    [WolverinePost("/api/v1/jobs/{job_id}/retry", Name = "RetryJob")]
    public static Task<IResult> Retry(HttpContext http, ClaimsPrincipal user, JobLifecycle lifecycle, IQuerySession session, BlobUrlSigner signer,
        [FromRoute(Name = "job_id")] string jobId) => RetryAsync(http, user, lifecycle, session, signer, jobId, null);

    [WolverinePost("/api/v1/jobs/{job_id}/cancel", Name = "CancelJob")]
    public static async Task<IResult> Cancel(HttpContext http, ClaimsPrincipal user, JobLifecycle lifecycle, RunningJobs running,
        IQuerySession session, BlobUrlSigner signer, [FromRoute(Name = "job_id")] string jobId)
    {
        var accountId = Caller.From(user).AccountId;
        var found = await QueryJobEndpoints.FindAsync(session, accountId, jobId, null, http.RequestAborted);
        if (found is null)
        {
            return QueryJobEndpoints.NotFound(jobId);
        }

        var job = await lifecycle.CancelAsync(accountId, found.Id, http.RequestAborted);
        running.Stop(found.Id);
        return Results.Json((await JobViews.ToViewsAsync([job!], session, http.Request, signer))[0]);
    }

    private static async Task<IResult> RetryAsync(HttpContext http, ClaimsPrincipal user, JobLifecycle lifecycle, IQuerySession session,
        BlobUrlSigner signer, string jobId, string? jobType)
    {
        var accountId = Caller.From(user).AccountId;
        var found = await QueryJobEndpoints.FindAsync(session, accountId, jobId, jobType, http.RequestAborted);
        if (found is null)
        {
            return QueryJobEndpoints.NotFound(jobId);
        }

        var job = await lifecycle.RetryAsync(accountId, found.Id, http.RequestAborted);
        return Results.Json((await JobViews.ToViewsAsync([job!], session, http.Request, signer))[0]);
    }
}
