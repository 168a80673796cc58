using System.Globalization;
using System.Text.Json.Nodes;
using Verging.SharedKernel.Media;

namespace Verging.IntegrationTests.Jobs.Processors;

/// <summary>A private work directory per test, tiny synthetic media in it, and ffprobe's view of the outputs.</summary>
public sealed class ProcessorWorkspace : IDisposable
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("verging-proc-").FullName;

    public string PathOf(string name) => Path.Combine(Directory, name);

    /// <summary>An mp4 test pattern with a sine tone (no audio when <paramref name="withAudio"/> is false).</summary>
    public async Task<string> PatternVideoAsync(int width, int height, double seconds, bool withAudio = true, string name = "input.mp4")
    {
        var path = PathOf(name);
        var duration = seconds.ToString(CultureInfo.InvariantCulture);
        string[] audio = withAudio ? ["-f", "lavfi", "-i", $"sine=frequency=440:duration={duration}", "-c:a", "aac"] : [];
        await FaceMedia.RunFfmpegAsync(["-f", "lavfi", "-i", $"testsrc=size={width}x{height}:rate=25:duration={duration}", .. audio,
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-shortest", path]);
        return path;
    }

    /// <summary>A still test pattern as PNG.</summary>
    public async Task<string> PatternImageAsync(int width, int height, string name = "input.png")
    {
        var path = PathOf(name);
        await FaceMedia.RunFfmpegAsync("-f", "lavfi", "-i", $"testsrc=size={width}x{height}:rate=1", "-frames:v", "1", path);
        return path;
    }

    /// <summary>One frame at <paramref name="seconds"/> as PNG.</summary>
    public async Task<string> FrameAsync(string video, double seconds, string name)
    {
        var path = PathOf(name);
        await FaceMedia.RunFfmpegAsync("-ss", seconds.ToString(CultureInfo.InvariantCulture), "-i", video, "-frames:v", "1", path);
        return path;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}

/// <summary>The stream facts a test asserts on.</summary>
public sealed record ProbedVideo(string Format, string VideoCodec, string PixelFormat, int Width, int Height, double Duration, string? AudioCodec)
{
    public static async Task<ProbedVideo> OfAsync(string path)
    {
        var (exit, output, error) = await ExternalTool.RunAsync("ffprobe",
            ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", path], TimeSpan.FromSeconds(30), CancellationToken.None);
        exit.ShouldBe(0, error);
        var json = JsonNode.Parse(output)!;
        var streams = json["streams"]!.AsArray();
        var video = streams.Single(s => s!["codec_type"]!.GetValue<string>() == "video")!;
        var audio = streams.FirstOrDefault(s => s!["codec_type"]!.GetValue<string>() == "audio");
        return new ProbedVideo(
            json["format"]!["format_name"]!.GetValue<string>(),
            video["codec_name"]!.GetValue<string>(),
            video["pix_fmt"]!.GetValue<string>(),
            video["width"]!.GetValue<int>(),
            video["height"]!.GetValue<int>(),
            double.Parse(json["format"]!["duration"]!.GetValue<string>(), CultureInfo.InvariantCulture),
            audio?["codec_name"]?.GetValue<string>());
    }
}

/// <summary>Collects progress reports synchronously (Progress&lt;T&gt; posts to the thread pool and may report late).</summary>
public sealed class RecordedProgress : IProgress<int>
{
    private readonly List<int> values = [];

    public event Action<int>? Reported;

    public IReadOnlyList<int> Values
    {
        get
        {
            lock (values)
            {
                return [.. values];
            }
        }
    }

    public void Report(int value)
    {
        lock (values)
        {
            values.Add(value);
        }

        Reported?.Invoke(value);
    }
}
