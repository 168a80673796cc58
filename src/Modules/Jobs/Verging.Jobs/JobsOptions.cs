namespace Verging.Jobs;

/// <summary>Configuration section <c>Jobs</c>.</summary>
public sealed class JobsOptions
{
    /// <summary>Jobs processed at once by this instance (the durable local queue's parallelism).</summary>
    public int Concurrency { get; set; } = 2;

    /// <summary>
    /// Job types this instance leaves to external workers (/worker/v1); it processes the others itself.
    /// (A list that starts empty: configuration binding appends to a list's initial items.)
    /// </summary>
    public List<string> ExternalOnlyTypes { get; set; } = [];

    /// <summary>A worker that has not renewed its lease for this long has lost the job: it is queued again.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often expired leases and outputs past their retention are looked for.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long outputs are kept before they are deleted (the job becomes expired).</summary>
    public TimeSpan OutputRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Longest user_video_duration accepted for face swap and video enhancement.</summary>
    public double MaxVideoSeconds { get; set; } = 600;

    /// <summary>Longest video image-to-video makes.</summary>
    public double MaxGeneratedSeconds { get; set; } = 60;

    /// <summary>
    /// Largest picture a job reads, an image or a video frame (width × height): a 1 MB PNG may declare
    /// 30000x30000 pixels, which decoded is 2.7 GB.
    /// </summary>
    public long MaxPixels { get; set; } = 50_000_000;

    /// <summary>Largest file POST /api/v1/uploads accepts.</summary>
    public long MaxUploadBytes { get; set; } = 500L * 1024 * 1024;

    /// <summary>Largest video fetched from target_video_url.</summary>
    public long MaxVideoBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>Bearer token of the external worker API (/worker/v1); the API is off (404) when empty.</summary>
    public string? WorkerToken { get; set; }

    /// <summary>Replace the processors with ones that do nothing (load tests and the jobs benchmark only).</summary>
    public bool NoOpProcessors { get; set; }

    /// <summary>Where attempts unpack their inputs; each gets a private folder, removed afterwards.</summary>
    public string WorkRoot { get; set; } = Path.Combine(Path.GetTempPath(), "verging-jobs");
}
