using System.Globalization;

namespace Verging.Jobs.Processing;

/// <summary>Runs one ffmpeg command to completion, turning its <c>-progress pipe:1</c> report into 0–100 %.</summary>
internal static class FfmpegRun
{
    /// <param name="arguments">Everything after "ffmpeg"; progress and quiet flags are added here.</param>
    /// <param name="outputSeconds">How long the output will be, to turn out_time into a percentage.</param>
    public static async Task RunAsync(IReadOnlyList<string> arguments, double outputSeconds, IProgress<int> progress, CancellationToken cancellation)
    {
        await using var ffmpeg = ToolProcess.Start("ffmpeg", ["-nostdin", "-hide_banner", "-v", "error", "-nostats", "-progress", "pipe:1", .. arguments]);
        var reported = -1;
        while (await ffmpeg.OutputText.ReadLineAsync(cancellation) is { } line)
        {
            var percent = ProgressLine.Percent(line, outputSeconds);
            if (percent > reported)
            {
                reported = percent.Value;
                progress.Report(reported);
            }
        }

        var (exit, errors) = await ffmpeg.WaitAsync(cancellation);
        if (exit != 0)
        {
            throw new InvalidOperationException($"ffmpeg failed ({exit}): {errors.Trim()}");
        }

        if (reported < 100)
        {
            progress.Report(100);
        }
    }
}

/// <summary>Reads ffmpeg's key=value progress lines.</summary>
internal static class ProgressLine
{
    /// <summary>The percentage a line reports (null when it reports none); capped at 99 until ffmpeg says "progress=end".</summary>
    public static int? Percent(string line, double totalSeconds)
    {
        if (line == "progress=end")
        {
            return 100;
        }

        // out_time_us is microseconds (out_time_ms too, despite its name; ffmpeg kept it for compatibility).
        if (!line.StartsWith("out_time_us=", StringComparison.Ordinal) || totalSeconds <= 0
            || !long.TryParse(line.AsSpan("out_time_us=".Length), NumberStyles.Integer, CultureInfo.InvariantCulture, out var micros))
        {
            return null;
        }

        return (int)Math.Clamp(micros / 1e6 / totalSeconds * 100, 0, 99);
    }
}
