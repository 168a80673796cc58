using System.Globalization;
using Verging.Jobs.Contracts;

namespace Verging.Jobs.Processing;

/// <summary>
/// Baseline video enhancement with ffmpeg: temporal/spatial denoise (hqdn3d), Lanczos upscale, then unsharp.
/// Normal doubles the frame (height capped at 2160); HD scales to 2160 lines keeping the aspect ratio.
/// H.264/yuv420p mp4 with faststart; audio copied when the mp4 can carry it, else re-encoded to AAC.
/// </summary>
internal sealed class VideoEnhanceProcessor : IJobProcessor
{
    internal const int UhdHeight = 2160;

    public string JobType => JobTypes.VideoEnhance;

    public async Task<ProcessorResult> ProcessAsync(ProcessorInput input, IProgress<int> progress, CancellationToken cancellation)
    {
        var source = input.VideoPath ?? throw new ArgumentException("video-enhance needs a video", nameof(input));
        var facts = await VideoFacts.ProbeAsync(source, cancellation);
        var (width, height) = TargetSize(facts.DisplayWidth, facts.DisplayHeight, input.IsHd);
        var output = Path.Combine(input.WorkDirectory, "enhanced.mp4");
        var filters = string.Create(CultureInfo.InvariantCulture,
            $"hqdn3d=1.5:1.5:6:6,scale={width}:{height}:flags=lanczos,unsharp=5:5:0.8:3:3:0.4,setsar=1");
        string[] audio = facts.AudioCodec is null ? ["-an"] : ["-c:a", facts.AudioCopiesIntoMp4 ? "copy" : "aac"];
        await FfmpegRun.RunAsync(
            ["-y", "-i", source, "-map", "0:v:0", "-map", "0:a:0?", "-vf", filters,
             "-c:v", "libx264", "-preset", input.IsHd ? "veryfast" : "fast", "-crf", "20", "-pix_fmt", "yuv420p",
             .. audio, "-movflags", "+faststart", output],
            facts.DurationSeconds > 0 ? facts.DurationSeconds : input.DurationSeconds, progress, cancellation);
        return new ProcessorResult([new ProcessorOutput(output, "video/mp4", "video")]);
    }

    /// <summary>Even dimensions (yuv420p needs them) at 2× (capped at 2160 lines) or, for HD, exactly 2160 lines.</summary>
    internal static (int Width, int Height) TargetSize(int width, int height, bool isHd)
    {
        var factor = isHd ? (double)UhdHeight / height : Math.Min(2.0, (double)UhdHeight / height);
        factor = Math.Max(factor, 1.0);
        return (Even(width * factor), Even(height * factor));
    }

    private static int Even(double size) => Math.Max(2, (int)Math.Round(size / 2) * 2);
}
