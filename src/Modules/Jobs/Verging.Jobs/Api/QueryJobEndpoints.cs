using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Verging.Jobs.Contracts;
using Verging.Jobs.Domain;
using Verging.SharedKernel;
using Verging.SharedKernel.Blobs;
using Verging.SharedKernel.Http;
using Wolverine.Http;

namespace Verging.Jobs.Api;

/// <summary>
/// Lists and gets, served from the job read model. Filters: status, job_ids (comma-separated, at
/// most 100), page/page_size; newest first. Another account's job does not exist (404).
/// </summary>
public static class QueryJobEndpoints
{
    public const int MaxJobIds = 100;

    [WolverineGet("/api/v1/faceswap/jobs", Name = "ListFaceSwapJobs")]
    public static Task<IResult> FaceSwap(HttpContext http, ClaimsPrincipal user, IQuerySession session, BlobUrlSigner signer) =>
        ListAsync(http, user, session, signer, JobTypes.FaceSwap);

    [WolverineGet("/api/v1/video-enhance/jobs", Name = "ListVideoEnhanceJobs")]
    public static Task<IResult> VideoEnhance(HttpContext http, ClaimsPrincipal user, IQuerySession session, BlobUrlSigner signer) =>
        ListAsync(http, user, session, signer, JobTypes.VideoEnhance);

    [WolverineGet("/api/v1/image-to-video/jobs", Name = "ListImageToVideoJobs")]
    public static Task<IResult> ImageToVideo(HttpContext http, ClaimsPrincipal user, IQuerySession session, BlobUrlSigner signer) =>
        ListAsync(http, user, session, signer, JobTypes.ImageToVideo);

    [WolverineGet("/api/v1/background-removal/jobs", Name = "ListBackgroundRemovalJobs")]
    public static Task<IResult> BackgroundRemoval(HttpContext http, ClaimsPrincipal user, IQuerySession session, BlobUrlSigner signer) =>
        ListAsync(http, user, session, signer, JobTypes.BackgroundRemoval);

    /// <summary>Every job of the caller, any type (filter with job_type).</summary>
    [WolverineGet("/api/v1/jobs", Name = "ListJobs")]
    public static Task<IResult> All(HttpContext http, ClaimsPrincipal user, IQuerySession session, BlobUrlSigner signer,
        [FromQuery(Name = "job_type")] string? jobType)
    {
        if (jobType is not null && !JobTypes.All.Contains(jobType))
        {
            return Task.FromResult<IResult>(ApiError.BadRequest($"job_type: must be one of {string.Join(", ", JobTypes.All)}"));
        }

        return ListAsync(http, user, session, signer, jobType);
    }

    [WolverineGet("/api/v1/jobs/{job_id}", Name = "GetJob")]
    public static async Task<IResult> Get(HttpContext http, ClaimsPrincipal user, IQuerySession session, BlobUrlSigner signer,
        [FromRoute(Name = "job_id")] string jobId)
    {
        var job = await FindAsync(session, Caller.From(user).AccountId, jobId, null, http.RequestAborted);
        return job is null ? NotFound(jobId) : Results.Json((await JobViews.ToViewsAsync([job], session, http.Request, signer))[0]);
    }

    internal static async Task<Job?> FindAsync(IQuerySession session, Guid accountId, string rawId, string? jobType, CancellationToken cancellation)
    {
        if (!Guid.TryParse(rawId, out var id))
        {
            return null;
        }

        var job = await session.LoadAsync<Job>(id, cancellation);
        return job is not null && job.AccountId == accountId && (jobType is null || job.JobType == jobType) ? job : null;
    }

    internal static IResult NotFound(string jobId) => ApiError.NotFound($"No job {jobId}");

    private static async Task<IResult> ListAsync(HttpContext http, ClaimsPrincipal user, IQuerySession session, BlobUrlSigner signer, string? jobType)
    {
        var query = http.Request.Query;
        var problems = new List<string>();
        var page = QueryParameters.WholeNumber(query["page"].FirstOrDefault(), "page", 1, 1, 1_000_000, problems);
        var size = QueryParameters.WholeNumber(query["page_size"].FirstOrDefault(), "page_size", 20, 1, 100, problems);
        var status = query["status"].FirstOrDefault();
        if (status is not null && !JobStatus.All.Contains(status))
        {
            problems.Add($"status: must be one of {string.Join(", ", JobStatus.All)}");
        }

        var ids = ParseJobIds(query["job_ids"].FirstOrDefault(), problems);
        if (problems.Count > 0)
        {
            return ApiError.BadRequest(string.Join("; ", problems));
        }

        var accountId = Caller.From(user).AccountId;
        var jobs = session.Query<Job>().Where(j => j.AccountId == accountId);
        if (jobType is not null)
        {
            jobs = jobs.Where(j => j.JobType == jobType);
        }

        if (status is not null)
        {
            jobs = jobs.Where(j => j.Status == status);
        }

        if (ids is not null)
        {
            jobs = jobs.Where(j => ids.Contains(j.Id));
        }

        var total = await jobs.CountAsync(http.RequestAborted);
        var rows = await jobs.OrderByDescending(j => j.CreatedAt).Skip((page - 1) * size).Take(size).ToListAsync(http.RequestAborted);
        return Results.Json(new JobList(await JobViews.ToViewsAsync(rows, session, http.Request, signer), total, page, size));
    }

    private static Guid[]? ParseJobIds(string? raw, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        var parts = raw.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length > MaxJobIds)
        {
            problems.Add($"job_ids: at most {MaxJobIds} ids");
            return null;
        }

        var ids = new Guid[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!Guid.TryParse(parts[i], out ids[i]))
            {
                problems.Add($"job_ids: '{(parts[i].Length > 40 ? parts[i][..40] + "…" : parts[i])}' is not a job id");
                return null;
            }
        }

        return ids;
    }
}
