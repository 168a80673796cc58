using System.Diagnostics;

namespace Verging.IntegrationTests.Infrastructure;

/// <summary>Tiny real media files for the tests (sine tones and test patterns by ffmpeg, images by ImageSharp).</summary>
public static class TestMedia
{
    public static async Task<byte[]> ToneAsync(double seconds, string format)
    {
        var path = Path.Combine(Path.GetTempPath(), $"verging-test-{Guid.NewGuid():N}.{format}");
        try
        {
            await FfmpegAsync("-f", "lavfi", "-i", $"sine=frequency=440:duration={seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}", path);
            return await File.ReadAllBytesAsync(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>A solid red PNG of the given size.</summary>
    public static async Task<byte[]> PngAsync(int width, int height)
    {
        using var image = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgba32>(width, height, new SixLabors.ImageSharp.PixelFormats.Rgba32(250, 10, 10));
        using var buffer = new MemoryStream();
        await SixLabors.ImageSharp.ImageExtensions.SaveAsPngAsync(image, buffer);
        return buffer.ToArray();
    }

    /// <summary>ffprobe's view of a file: (format_name, duration seconds).</summary>
    public static async Task<(string Format, double Duration)> ProbeAsync(byte[] content)
    {
        var path = Path.Combine(Path.GetTempPath(), $"verging-probe-{Guid.NewGuid():N}");
        await File.WriteAllBytesAsync(path, content);
        try
        {
            var output = await RunAsync("ffprobe", "-v", "error", "-show_entries", "format=format_name,duration", "-of", "csv=p=0", path);
            var parts = output.Trim().Split(',');
            return (parts[0], double.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>ffmpeg with the flags every test wants (no stdin, errors only, overwrite).</summary>
    public static Task FfmpegAsync(params string[] arguments) => RunAsync("ffmpeg", ["-nostdin", "-v", "error", "-y", .. arguments]);

    /// <summary>Runs a media tool and returns its output; its error output is the exception's message when it fails.</summary>
    public static async Task<string> RunAsync(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        // Both streams at once: a tool that fills one pipe while we wait on the other would hang.
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        await output;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} failed: {error}");
        }

        return await output;
    }
}
