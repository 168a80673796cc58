using System.Globalization;
using Verging.Jobs.Contracts;

namespace Verging.Jobs.Processing;

/// <summary>
/// Baseline image-to-video: a Ken Burns move over the still (ffmpeg zoompan), 25 fps H.264 mp4 of the requested
/// length. Landscape and square images give 1280×720 (HD 1920×1080), portrait ones 720×1280 (HD 1080×1920); the
/// image is scaled to cover the frame and centre-cropped. The prompt picks the move (see <see cref="CameraMotion"/>).
/// </summary>
internal sealed class ImageToVideoProcessor : IJobProcessor
{
    internal const int FramesPerSecond = 25;

    public string JobType => JobTypes.ImageToVideo;

    public async Task<ProcessorResult> ProcessAsync(ProcessorInput input, IProgress<int> progress, CancellationToken cancellation)
    {
        var image = input.ImagePath ?? throw new ArgumentException("image-to-video needs an image", nameof(input));
        if (input.DurationSeconds <= 0)
        {
            throw new ArgumentException("image-to-video needs a positive duration", nameof(input));
        }

        var size = await VideoFacts.ImageSizeAsync(image, cancellation) ?? throw new JobProcessingException("the image could not be read");
        var (width, height) = FrameSize(size.Width, size.Height, input.IsHd);
        var frames = Math.Max(1, (int)Math.Ceiling(input.DurationSeconds * FramesPerSecond));
        var motion = CameraMotion.FromPrompt(input.Prompt);
        var output = Path.Combine(input.WorkDirectory, "video.mp4");
        // Zoompan rounds its crop window to whole pixels; working on a 2× canvas halves the visible jitter.
        var filters = string.Create(CultureInfo.InvariantCulture,
            $"scale={2 * width}:{2 * height}:force_original_aspect_ratio=increase:flags=lanczos,crop={2 * width}:{2 * height},setsar=1,"
            + $"zoompan={CameraMotion.ZoompanExpressions(motion, frames)}:d={frames}:s={width}x{height}:fps={FramesPerSecond},format=yuv420p");
        await FfmpegRun.RunAsync(
            ["-y", "-i", image, "-vf", filters, "-frames:v", frames.ToString(CultureInfo.InvariantCulture),
             "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p", "-movflags", "+faststart", output],
            (double)frames / FramesPerSecond, progress, cancellation);
        return new ProcessorResult([new ProcessorOutput(output, "video/mp4", "video")]);
    }

    internal static (int Width, int Height) FrameSize(int imageWidth, int imageHeight, bool isHd)
    {
        var (longSide, shortSide) = isHd ? (1920, 1080) : (1280, 720);
        return imageHeight > imageWidth ? (shortSide, longSide) : (longSide, shortSide);
    }
}

/// <summary>The Ken Burns moves image-to-video can make, and how a prompt picks one.</summary>
internal enum CameraMotionKind
{
    ZoomIn,
    ZoomOut,
    PanLeft,
    PanRight,
}

internal static class CameraMotion
{
    private const string MaxZoom = "1.3";

    /// <summary>
    /// Deterministic: the first of these phrases found in the prompt (case-insensitive) wins — "zoom out"/"pull back"
    /// → zoom out; "pan left" → pan left; "pan right"/"pan" → pan right; "zoom in"/"push in" or anything else,
    /// including no prompt → zoom in. Phrases are matched in that order.
    /// </summary>
    public static CameraMotionKind FromPrompt(string? prompt)
    {
        var text = prompt?.ToUpperInvariant() ?? string.Empty;
        if (text.Contains("ZOOM OUT", StringComparison.Ordinal) || text.Contains("PULL BACK", StringComparison.Ordinal))
        {
            return CameraMotionKind.ZoomOut;
        }

        if (text.Contains("PAN LEFT", StringComparison.Ordinal))
        {
            return CameraMotionKind.PanLeft;
        }

        return text.Contains("PAN", StringComparison.Ordinal) ? CameraMotionKind.PanRight : CameraMotionKind.ZoomIn;
    }

    /// <summary>zoompan's z, x and y expressions for the move over <paramref name="frames"/> frames ("on" is the frame number).</summary>
    public static string ZoompanExpressions(CameraMotionKind motion, int frames)
    {
        var last = Math.Max(1, frames - 1).ToString(CultureInfo.InvariantCulture);
        const string centreX = "iw/2-(iw/zoom/2)";
        const string centreY = "ih/2-(ih/zoom/2)";
        return motion switch
        {
            CameraMotionKind.ZoomOut => $"z='{MaxZoom}-({MaxZoom}-1)*on/{last}':x='{centreX}':y='{centreY}'",
            CameraMotionKind.PanLeft => $"z='1.2':x='(iw-iw/zoom)*(1-on/{last})':y='{centreY}'",
            CameraMotionKind.PanRight => $"z='1.2':x='(iw-iw/zoom)*on/{last}':y='{centreY}'",
            _ => $"z='1+({MaxZoom}-1)*on/{last}':x='{centreX}':y='{centreY}'",
        };
    }
}
