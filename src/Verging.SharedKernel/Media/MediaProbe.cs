using System.Globalization;
using System.Text.Json.Nodes;

namespace Verging.SharedKernel.Media;

/// <summary>What ffprobe says a file really is: its container format, duration and (for video) frame size.</summary>
public sealed record ProbedMedia(string Format, double DurationSeconds, bool HasAudio, bool HasVideo = false, int Width = 0, int Height = 0);

/// <summary>Measures uploaded media with ffprobe (the file's content decides, not its name).</summary>
public static class MediaProbe
{
    public static async Task<ProbedMedia?> ProbeAsync(byte[] content, CancellationToken cancellation)
    {
        var path = Path.Combine(Path.GetTempPath(), $"verging-probe-{Guid.NewGuid():N}");
        await File.WriteAllBytesAsync(path, content, cancellation);
        try
        {
            return await ProbeFileAsync(path, cancellation);
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static async Task<ProbedMedia?> ProbeFileAsync(string path, CancellationToken cancellation)
    {
        var (exit, output, _) = await ExternalTool.RunAsync("ffprobe",
            ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", path], TimeSpan.FromSeconds(30), cancellation);
        if (exit != 0)
        {
            return null;
        }

        var json = JsonNode.Parse(output);
        var format = json?["format"]?["format_name"]?.GetValue<string>();
        var duration = json?["format"]?["duration"]?.GetValue<string>();
        var streams = json?["streams"]?.AsArray() ?? [];
        var hasAudio = streams.Any(s => s?["codec_type"]?.GetValue<string>() == "audio");
        var video = streams.FirstOrDefault(s => s?["codec_type"]?.GetValue<string>() == "video");
        if (format is null)
        {
            return null;
        }

        // A still image has no duration ("N/A"): 0, so callers that need one can refuse it.
        if (!double.TryParse(duration, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            seconds = 0;
        }

        return new ProbedMedia(format, seconds, hasAudio, video is not null,
            video?["width"]?.GetValue<int>() ?? 0, video?["height"]?.GetValue<int>() ?? 0);
    }
}
