using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Verging.Jobs.Contracts;
using Verging.Jobs.Domain;
using Verging.Jobs.Lifecycle;
using Verging.SharedKernel;
using Verging.SharedKernel.Blobs;
using Verging.SharedKernel.Http;
using Verging.SharedKernel.Validation;
using Wolverine.Http;

namespace Verging.Jobs.Workers;

public sealed record LeaseRequest(IReadOnlyList<string>? JobTypes, string? WorkerId, int? LeaseSeconds);

public sealed record WorkerInputs(string? ImageUrl, string? VideoUrl);

public sealed record LeasedJob(
    Guid JobId, int Attempt, string JobType, bool IsHd, double UserVideoDuration, string? Prompt, string FileName,
    WorkerInputs Inputs, DateTimeOffset LeaseExpiresAt);

public sealed record WorkerReport(int Attempt, string? WorkerId, int? Progress, double? MeasuredDurationSeconds,
    IReadOnlyList<WorkerOutput>? Outputs, string? Reason);

public sealed record WorkerOutput(string Name, string OutputId, string? ContentType);

public sealed record StoredOutput(string OutputId, long Size, string ContentType);

/// <summary>
/// /worker/v1: external (GPU) workers lease jobs over HTTP (docs/workers.md). A lease not renewed
/// by heartbeat within its duration expires and the job is queued again; every report names the
/// attempt and worker id, and a worker that lost its lease gets 409. The host's token gate
/// (Verging.Api TokenGate) answers before these run: 404 while Jobs:WorkerToken is unset, 401 without it.
/// </summary>
public static class WorkerEndpoints
{
    [WolverinePost("/worker/v1/leases", Name = "WorkerLease")]
    public static async Task<IResult> Lease(HttpContext http, LeaseRequest request, JobLifecycle lifecycle, IQuerySession session,
        BlobUrlSigner signer, IOptions<JobsOptions> options)
    {
        var types = request.JobTypes ?? [];
        if (types.Count == 0 || types.Any(t => !JobTypes.All.Contains(t)) || WorkerIdProblem(request.WorkerId) is not null
            || request.LeaseSeconds is < 5 or > 3600)
        {
            return ApiError.BadRequest($"job_types: one or more of {string.Join(", ", JobTypes.All)}; worker_id: required (at most 200 characters, no control characters); lease_seconds: 5 to 3600");
        }

        var lease = request.LeaseSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : options.Value.LeaseDuration;
        // Oldest first, ten at a time; workers leasing at once race for the same jobs, so a round whose
        // candidates were all taken looks again: 204 means nothing of these types is waiting.
        var tried = new List<Guid>();
        while (true)
        {
            var candidates = await session.Query<Job>()
                .Where(j => j.Status == JobStatus.Pending && types.Contains(j.JobType) && !tried.Contains(j.Id))
                .OrderBy(j => j.QueuedAt).Take(10).Select(j => j.Id).ToListAsync(http.RequestAborted);
            if (candidates.Count == 0)
            {
                break;
            }

            foreach (var candidate in candidates)
            {
                var job = await lifecycle.TryStartAsync(candidate, request.WorkerId!, lease, http.RequestAborted);
                if (job is not null)
                {
                    return Results.Json(new LeasedJob(job.Id, job.Attempt, job.JobType, job.IsHd, job.DeclaredDurationSeconds, job.Prompt, job.FileName,
                        new WorkerInputs(Url(http, signer, job.Inputs.ImageKey), job.Inputs.VideoKey is { } key ? Url(http, signer, key) : job.Inputs.VideoUrl),
                        DateTimeOffset.UtcNow + lease));
                }
            }

            tried.AddRange(candidates);
        }

        return Results.NoContent();
    }

    [WolverinePost("/worker/v1/jobs/{job_id}/heartbeat", Name = "WorkerHeartbeat")]
    public static async Task<IResult> Heartbeat(HttpContext http, [FromRoute(Name = "job_id")] Guid jobId, WorkerReport report,
        LeaseStore leases, JobLifecycle lifecycle)
    {
        var (refused, expires) = await RenewLeaseAsync(http, jobId, report, leases);
        if (refused is not null)
        {
            return refused;
        }

        if (report.Progress is { } progress)
        {
            await lifecycle.ProgressAsync(jobId, report.Attempt, progress, http.RequestAborted);
        }

        return Results.Json(new { lease_expires_at = expires });
    }

    /// <summary>Uploads one output file (multipart "file"); its output_id goes into the complete call.</summary>
    [WolverinePost("/worker/v1/jobs/{job_id}/outputs", Name = "WorkerUploadOutput")]
    [RequestSizeLimit(4L * 1024 * 1024 * 1024)]
    public static async Task<IResult> Output(HttpContext http, [FromRoute(Name = "job_id")] Guid jobId,
        [FromQuery(Name = "attempt")] int attempt, [FromQuery(Name = "worker_id")] string? workerId,
        LeaseStore leases, IBlobStore blobs)
    {
        if (await HoldsLeaseAsync(http, jobId, new WorkerReport(attempt, workerId, null, null, null, null), leases) is { } refused)
        {
            return refused;
        }

        var (form, error) = await MultipartInput.ReadAsync(http);
        var file = form?.Files.GetFile("file");
        if (error is not null || file is null || file.Length == 0)
        {
            return error ?? ApiError.BadRequest("file: required");
        }

        // The part's type and name are the worker's text: they end up in the job's events (PostgreSQL, no NUL)
        // and in a storage key, so only a well-formed media type and a plain extension are kept.
        var contentType = MediaTypeHeaderValue.TryParse(file.ContentType, out var parsed) && parsed.MediaType.Length <= 100
            && StoredText.Problem(file.ContentType) is null ? parsed.ToString() : "application/octet-stream";
        await using var content = file.OpenReadStream();
        var extension = Path.GetExtension(file.FileName).TrimStart('.');
        var plainExtension = extension.Length is > 0 and <= 8 && extension.All(char.IsAsciiLetterOrDigit) ? extension : "bin";
        var stored = await blobs.PutAsync($"jobs/{jobId:N}", plainExtension, content, contentType, http.RequestAborted);
        return Results.Json(new StoredOutput(stored.Key, stored.Size, stored.ContentType));
    }

    [WolverinePost("/worker/v1/jobs/{job_id}/complete", Name = "WorkerComplete")]
    public static async Task<IResult> Complete(HttpContext http, [FromRoute(Name = "job_id")] Guid jobId, WorkerReport report,
        LeaseStore leases, JobLifecycle lifecycle, IQuerySession session, IBlobStore blobs)
    {
        if (await HoldsLeaseAsync(http, jobId, report, leases) is { } refused)
        {
            return refused;
        }

        var job = (await session.LoadAsync<Job>(jobId, http.RequestAborted))!;
        var outputs = report.Outputs ?? [];
        if (outputs.Count == 0 || outputs.Any(o => o is null || !IsUploadOf(jobId, o.OutputId) || string.IsNullOrWhiteSpace(o.Name)
            || o.Name.Length > 100 || StoredText.Problem(o.Name) is not null))
        {
            return ApiError.BadRequest("outputs: one or more {name, output_id, content_type} of files uploaded to this job (name: at most 100 characters, no control characters)");
        }

        if (job.JobType is JobTypes.FaceSwap or JobTypes.VideoEnhance)
        {
            if (report.MeasuredDurationSeconds is not > 0)
            {
                return ApiError.BadRequest("measured_duration_seconds: required for video jobs (ffprobe of the input)");
            }

            if (JobPricing.DurationProblem(job.DeclaredDurationSeconds, report.MeasuredDurationSeconds.Value) is { } problem)
            {
                return Results.Json(new { status = StatusAfterFail(await lifecycle.FailAsync(job, report.Attempt, problem, http.RequestAborted)), error = problem });
            }
        }

        var stored = new List<JobOutput>(outputs.Count);
        foreach (var output in outputs)
        {
            var opened = await blobs.OpenAsync(output.OutputId, http.RequestAborted);
            if (opened is null)
            {
                return ApiError.BadRequest($"outputs: {output.OutputId} was not uploaded (POST /worker/v1/jobs/{jobId}/outputs first)");
            }

            await using var content = opened.Value.Content;
            stored.Add(new JobOutput(output.Name, output.OutputId, opened.Value.ContentType, content.Length));
        }

        var finished = await lifecycle.SucceedAsync(job, report.Attempt, stored,
            job.JobType is JobTypes.FaceSwap or JobTypes.VideoEnhance ? report.MeasuredDurationSeconds : null, http.RequestAborted);
        return Results.Json(new { status = finished?.Status ?? JobStatus.Cancelled });
    }

    /// <summary>
    /// A key in this job's folder, as the outputs endpoint makes them (jobs/{id}/yyyy/MM/dd/{file}): plain path
    /// segments only. Another job's folder, "." or "..", empty segments or backslashes are refused here, before
    /// the blob store sees the key (it would throw on a path leaving its root).
    /// </summary>
    private static bool IsUploadOf(Guid jobId, string? outputId)
    {
        var folder = $"jobs/{jobId:N}/";
        if (outputId is null || !outputId.StartsWith(folder, StringComparison.Ordinal) || outputId.Contains('\\'))
        {
            return false;
        }

        var segments = outputId[folder.Length..].Split('/');
        return segments.All(s => s.Length > 0 && s is not "." and not "..");
    }

    [WolverinePost("/worker/v1/jobs/{job_id}/fail", Name = "WorkerFail")]
    public static async Task<IResult> Fail(HttpContext http, [FromRoute(Name = "job_id")] Guid jobId, WorkerReport report,
        LeaseStore leases, JobLifecycle lifecycle, IQuerySession session)
    {
        if (await HoldsLeaseAsync(http, jobId, report, leases) is { } refused)
        {
            return refused;
        }

        if (StoredText.Problem(report.Reason, multiline: true) is { } problem)
        {
            return ApiError.BadRequest($"reason: {problem}");
        }

        var reason = string.IsNullOrWhiteSpace(report.Reason) ? "The worker could not process this job" : Shortened(report.Reason, 500);
        var job = (await session.LoadAsync<Job>(jobId, http.RequestAborted))!;
        return Results.Json(new { status = StatusAfterFail(await lifecycle.FailAsync(job, report.Attempt, reason, http.RequestAborted)) });
    }

    /// <summary>
    /// Why a worker id cannot be used, or null: it is stored with the lease and in job events (PostgreSQL text,
    /// which cannot hold NUL) and shown in logs, so it is a short single-line label.
    /// </summary>
    private static string? WorkerIdProblem(string? workerId) =>
        string.IsNullOrWhiteSpace(workerId) ? "required"
        : workerId.Length > 200 ? "at most 200 characters"
        : StoredText.Problem(workerId);

    /// <summary>
    /// How a job ended once a failure was reported. Still processing means a complete of the same attempt
    /// settled first and is recording its success right now: the job is completing, not failed.
    /// </summary>
    private static string StatusAfterFail(Job? job) => job?.Status switch
    {
        null => JobStatus.Failed,
        JobStatus.Processing => JobStatus.Completed,
        var status => status,
    };

    /// <summary>At most <paramref name="max"/> characters, never ending in half a surrogate pair.</summary>
    private static string Shortened(string text, int max) =>
        text.Length <= max ? text : text[..(char.IsHighSurrogate(text[max - 1]) ? max - 1 : max)];

    /// <summary>The lease check (which also renews it): 409 when this worker no longer holds the attempt.</summary>
    private static async Task<IResult?> HoldsLeaseAsync(HttpContext http, Guid jobId, WorkerReport report, LeaseStore leases) =>
        (await RenewLeaseAsync(http, jobId, report, leases)).Refused;

    /// <summary>Renewal: the refusal (409), or the lease's new expiry.</summary>
    private static async Task<(IResult? Refused, DateTimeOffset? Expires)> RenewLeaseAsync(
        HttpContext http, Guid jobId, WorkerReport report, LeaseStore leases)
    {
        if (WorkerIdProblem(report.WorkerId) is { } problem)
        {
            return (ApiError.BadRequest($"worker_id: {problem}"), null);
        }

        var expires = await leases.RenewAsync(jobId, report.Attempt, report.WorkerId!, http.RequestAborted);
        return expires is null ? (LeaseLost(jobId, report), null) : (null, expires);
    }

    private static ApiError LeaseLost(Guid jobId, WorkerReport report) =>
        ApiError.Conflict($"Worker {report.WorkerId} does not hold attempt {report.Attempt} of job {jobId} (lease expired, job cancelled or finished)");

    private static string? Url(HttpContext http, BlobUrlSigner signer, string? key) =>
        key is null ? null : signer.SignedUrl(http.Request, key).Url;
}
