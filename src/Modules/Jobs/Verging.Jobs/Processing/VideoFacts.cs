using System.Globalization;
using System.Text.Json.Nodes;
using Verging.SharedKernel.Media;

namespace Verging.Jobs.Processing;

/// <summary>What the processors need to know of a video beyond <see cref="MediaProbe"/>: frame rate and audio codec.</summary>
internal sealed record VideoFacts(
    int Width, int Height, int Rotation, double DurationSeconds, string FrameRate, double FramesPerSecond, string? AudioCodec)
{
    // Audio codecs an mp4 carries as they are; others (pcm from .mov/.avi, vorbis) are re-encoded to AAC.
    private static readonly HashSet<string> Mp4Audio = ["aac", "mp3", "alac", "opus", "ac3", "eac3", "flac"];

    /// <summary>Frame size as ffmpeg decodes it: it applies a phone's rotation metadata, swapping the sides.</summary>
    public int DisplayWidth => Math.Abs(Rotation) % 180 == 90 ? Height : Width;

    public int DisplayHeight => Math.Abs(Rotation) % 180 == 90 ? Width : Height;

    public bool AudioCopiesIntoMp4 => AudioCodec is not null && Mp4Audio.Contains(AudioCodec);

    public static async Task<VideoFacts> ProbeAsync(string path, CancellationToken cancellation)
    {
        var (exit, output, _) = await ExternalTool.RunAsync("ffprobe",
            ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", path], TimeSpan.FromSeconds(30), cancellation);
        var json = exit == 0 ? JsonNode.Parse(output) : null;
        var streams = json?["streams"]?.AsArray() ?? [];
        var video = streams.FirstOrDefault(s => s?["codec_type"]?.GetValue<string>() == "video")
            ?? throw new JobProcessingException("the video could not be read");
        var audio = streams.FirstOrDefault(s => s?["codec_type"]?.GetValue<string>() == "audio");
        var width = video["width"]?.GetValue<int>() ?? 0;
        var height = video["height"]?.GetValue<int>() ?? 0;
        if (width <= 0 || height <= 0)
        {
            throw new JobProcessingException("the video has no readable picture");
        }

        var rate = video["avg_frame_rate"]?.GetValue<string>() is { } avg && Fps(avg) > 0 ? avg : video["r_frame_rate"]?.GetValue<string>() ?? "25/1";
        double.TryParse(json?["format"]?["duration"]?.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds);
        var rotation = video["side_data_list"]?.AsArray().Select(d => d?["rotation"]).FirstOrDefault(r => r is not null)?.GetValue<int>()
            ?? (int.TryParse(video["tags"]?["rotate"]?.GetValue<string>(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var tagged) ? tagged : 0);
        return new VideoFacts(width, height, rotation, seconds, Fps(rate) > 0 ? rate : "25/1", Fps(rate) > 0 ? Fps(rate) : 25,
            audio?["codec_name"]?.GetValue<string>());
    }

    /// <summary>Width and height of a still (png, jpeg, webp, gif...), or null when ffprobe cannot read it as a picture.</summary>
    public static async Task<(int Width, int Height)?> ImageSizeAsync(string path, CancellationToken cancellation)
    {
        var (exit, output, _) = await ExternalTool.RunAsync("ffprobe",
            ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0:s=x", path],
            TimeSpan.FromSeconds(30), cancellation);
        var parts = output.Trim().Split('x');
        return exit == 0 && parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var width) && width > 0
            && int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var height) && height > 0
            ? (width, height)
            : null;
    }

    private static double Fps(string rate)
    {
        var parts = rate.Split('/');
        return parts.Length == 2
            && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var n)
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d > 0
            ? n / d
            : 0;
    }
}
