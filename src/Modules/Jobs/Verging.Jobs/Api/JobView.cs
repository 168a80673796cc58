using Marten;
using Microsoft.AspNetCore.Http;
using Verging.Jobs.Contracts;
using Verging.Jobs.Domain;
using Verging.SharedKernel.Blobs;

namespace Verging.Jobs.Api;

public sealed record JobOutputView(string Name, string Url, string ContentType, long Size, DateTimeOffset ExpiresAt);

/// <summary>A job as clients see it (snake_case in JSON).</summary>
public sealed record JobView(
    Guid JobId, string JobType, string Status, int Progress, long? QueuePosition, bool IsHd, string FileName,
    double? UserVideoDuration, double? MeasuredDuration, string? Prompt, int Attempt, long CreditsFrozen, long CreditsConsumed,
    IReadOnlyList<JobOutputView> Outputs, string? Error, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? FinishedAt);

public sealed record JobList(IReadOnlyList<JobView> Jobs, long Total, int Page, int PageSize);

/// <summary>Turns read-model jobs into views: signed output URLs and, for waiting jobs, their place in the queue.</summary>
public static class JobViews
{
    /// <summary>The expression of Marten's index on <see cref="Job.QueuedAt"/>, so that queries match it.</summary>
    public const string QueuedAtSql = "marten.mt_immutable_timestamptz(data ->> 'queuedAt')";

    public static async Task<IReadOnlyList<JobView>> ToViewsAsync(IReadOnlyList<Job> jobs, IQuerySession session, HttpRequest request, BlobUrlSigner signer)
    {
        var positions = new Dictionary<Guid, long>();
        var pending = jobs.Where(j => j.Status == JobStatus.Pending).ToList();
        if (pending.Count > 0)
        {
            // One round trip for every waiting job of the page: jobs of any account queued before each.
            // The status is a literal, not a parameter, so the planner uses the partial index of
            // waiting jobs (JobsModule) instead of scanning every job ever run.
            var ahead = await session.AdvancedSql.QueryAsync<long>(
                $"select (select count(*) from {session.DocumentStore.Options.Schema.For<Job>()} " +
                $"where data ->> 'status' = '{JobStatus.Pending}' and {QueuedAtSql} < q.at) " +
                "from unnest(?::timestamptz[]) with ordinality as q(at, n) order by q.n",
                CancellationToken.None, pending.Select(j => j.QueuedAt).ToArray());
            for (var i = 0; i < pending.Count; i++)
            {
                positions[pending[i].Id] = ahead[i] + 1;
            }
        }

        var views = new List<JobView>(jobs.Count);
        foreach (var job in jobs)
        {
            long? position = positions.TryGetValue(job.Id, out var place) ? place : null;
            views.Add(ToView(job, position, request, signer));
        }

        return views;
    }

    private static JobView ToView(Job job, long? position, HttpRequest request, BlobUrlSigner signer)
    {
        var outputs = job.Outputs.Select(o =>
        {
            var (url, expiresAt) = signer.SignedUrl(request, o.BlobKey);
            return new JobOutputView(o.Name, url, o.ContentType, o.Size, expiresAt);
        }).ToList();
        var declared = job.JobType == JobTypes.BackgroundRemoval ? (double?)null : job.DeclaredDurationSeconds;
        return new JobView(job.Id, job.JobType, job.Status, job.Progress, position, job.IsHd, job.FileName, declared,
            job.MeasuredDurationSeconds, job.Prompt, job.Attempt, job.CreditsFrozen, job.CreditsConsumed, outputs, job.Error,
            job.CreatedAt, job.UpdatedAt, job.FinishedAt);
    }
}
