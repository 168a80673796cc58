using System.Globalization;
using Verging.Jobs.Contracts;

namespace Verging.Jobs.Domain;

/// <summary>The media rows of the price table (API reference; DESIGN.md billing rules). Integer credits.</summary>
public static class JobPricing
{
    /// <summary>Credits for a job of <paramref name="seconds"/> (whole seconds, rounded up; background removal is a fixed 1).</summary>
    public static long Price(string jobType, bool isHd, double seconds)
    {
        var perSecond = jobType switch
        {
            JobTypes.FaceSwap => isHd ? 3 : 1,
            JobTypes.VideoEnhance or JobTypes.ImageToVideo => isHd ? 5 : 3,
            JobTypes.BackgroundRemoval => 0,
            _ => throw new ArgumentOutOfRangeException(nameof(jobType), jobType, "unknown job type"),
        };
        return perSecond == 0 ? 1 : WholeSeconds(seconds) * perSecond;
    }

    /// <summary>Seconds rounded up, ignoring float noise below a millisecond (ffprobe's 10.000000001 is 10).</summary>
    public static long WholeSeconds(double seconds) => Math.Max(1, (long)Math.Ceiling(Math.Round(seconds, 3)));

    /// <summary>What a run costs when the worker measured the media: the real duration, never more than was frozen.</summary>
    public static long Settlement(Job job, double? measuredSeconds) =>
        Math.Min(job.CreditsFrozen, Price(job.JobType, job.IsHd, measuredSeconds ?? job.DeclaredDurationSeconds));

    /// <summary>Null when the measured duration is acceptable, else why the job fails (declared + 1 s of tolerance).</summary>
    public static string? DurationProblem(double declared, double measured) =>
        measured > declared + 1
            ? string.Create(CultureInfo.InvariantCulture,
                $"The video is {measured:0.###} s long but user_video_duration was {declared:0.###} s; create the job again with the real duration (credits released)")
            : null;
}
