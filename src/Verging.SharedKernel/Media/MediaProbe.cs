using System.Globalization;
using System.Text.Json.Nodes;

namespace Verging.SharedKernel.Media;

/// <summary>What ffprobe says a file really is: its container format, duration and (for video) frame size.</summary>
public sealed record ProbedMedia(string Format, double DurationSeconds, bool HasAudio, bool HasVideo = false, int Width = 0, int Height = 0);

/// <summary>Measures uploaded media with ffprobe (the file's content decides, not its name).</summary>
public static class MediaProbe
{
    public static Task<ProbedMedia?> ProbeAsync(byte[] content, CancellationToken cancellation) =>
        OnTemporaryFileAsync(content, path => ProbeFileAsync(path, cancellation), cancellation);

    /// <summary>
    /// ffprobe's view of an audio file, with the duration replaced by what <see cref="DecodedAudioSecondsAsync"/>
    /// measures: the length a listener (and a speech model) gets, whatever the file's header says.
    /// </summary>
    public static Task<ProbedMedia?> ProbeAudioAsync(byte[] content, CancellationToken cancellation) =>
        OnTemporaryFileAsync(content, async path =>
        {
            var probed = await ProbeFileAsync(path, cancellation);
            return probed is { HasAudio: true } ? probed with { DurationSeconds = await DecodedAudioSecondsAsync(path, cancellation) } : probed;
        }, cancellation);

    /// <summary>
    /// Seconds of audio in the file's first audio stream, counted by decoding it: the duration ffprobe reports
    /// comes from the container or an MP3's Xing header, which the file's author writes (a 10-minute MP3 may
    /// claim 0.9 s, or 1 s of audio followed by 1 MB of zeros 1,001 s), and an MP4 reports its longest
    /// stream, video included. Resampled to 8 kHz, so the count is cheap and exact to 1/8000 s.
    /// </summary>
    public static async Task<double> DecodedAudioSecondsAsync(string path, CancellationToken cancellation)
    {
        const int rate = 8000;
        var (_, _, log) = await ExternalTool.RunAsync("ffmpeg",
            ["-nostdin", "-hide_banner", "-nostats", "-v", "info", "-i", path, "-map", "0:a:0", "-vn", "-sn", "-dn",
             "-af", $"aresample={rate},astats=measure_perchannel=none:measure_overall=Number_of_samples", "-f", "null", "-"],
            TimeSpan.FromMinutes(2), cancellation);
        const string marker = "Number of samples:";
        var line = log.Split('\n').LastOrDefault(l => l.Contains(marker, StringComparison.Ordinal));
        return line is not null && long.TryParse(line[(line.IndexOf(marker, StringComparison.Ordinal) + marker.Length)..].Trim(),
            NumberStyles.None, CultureInfo.InvariantCulture, out var samples)
            ? (double)samples / rate
            : 0;
    }

    /// <summary>
    /// ffprobe's view of a video file, with the duration replaced by the span of its first video stream's
    /// packets when that is longer: the summary durations an MP4 carries (mvhd, mdhd) are written by the file's
    /// author and a 20 s video may claim 2 s, while its sample tables, which players follow, are what the
    /// packets' times come from. Reading every packet is a demux without decoding.
    /// </summary>
    public static async Task<ProbedMedia?> ProbeVideoFileAsync(string path, CancellationToken cancellation)
    {
        var probed = await ProbeFileAsync(path, cancellation);
        if (probed is not { HasVideo: true })
        {
            return probed;
        }

        var (exit, output, _) = await ExternalTool.RunAsync("ffprobe",
            ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time,duration_time", "-of", "csv=p=0", path],
            TimeSpan.FromMinutes(2), cancellation);
        double first = double.MaxValue, end = 0;
        foreach (var line in exit == 0 ? output.Split('\n', StringSplitOptions.RemoveEmptyEntries) : [])
        {
            var fields = line.Split(',');
            if (double.TryParse(fields[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var pts))
            {
                var length = fields.Length > 1 && double.TryParse(fields[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : 0;
                first = Math.Min(first, pts);
                end = Math.Max(end, pts + length);
            }
        }

        var span = end > first ? end - first : 0;
        return span > probed.DurationSeconds ? probed with { DurationSeconds = span } : probed;
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

    /// <summary>The tools read files: <paramref name="content"/> is written to a temporary one for <paramref name="work"/>, then removed.</summary>
    private static async Task<T> OnTemporaryFileAsync<T>(byte[] content, Func<string, Task<T>> work, CancellationToken cancellation)
    {
        var path = Path.Combine(Path.GetTempPath(), $"verging-probe-{Guid.NewGuid():N}");
        await File.WriteAllBytesAsync(path, content, cancellation);
        try
        {
            return await work(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
