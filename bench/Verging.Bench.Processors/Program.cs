using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Verging.Jobs.Contracts;
using Verging.Jobs.Processing;
using Verging.SharedKernel.Media;

// Times each baseline processor on a 10 s 480p clip (854×480, 25 fps, AAC tone), normal and HD, and prints a
// Markdown table. Usage: Verging.Bench.Processors <face image> [seconds]
var faceImage = args.Length > 0 ? args[0] : throw new ArgumentException("usage: Verging.Bench.Processors <face image> [seconds]");
var seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 10;
var work = Directory.CreateTempSubdirectory("verging-bench-").FullName;
try
{
    var clip = Path.Combine(work, "clip.mp4");
    var faceClip = Path.Combine(work, "face.mp4");
    var still = Path.Combine(work, "still.png");
    var duration = seconds.ToString(CultureInfo.InvariantCulture);
    await Ffmpeg("-f", "lavfi", "-i", $"testsrc2=size=854x480:rate=25:duration={duration}", "-f", "lavfi", "-i", $"sine=duration={duration}",
        "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", clip);
    // The portrait on a 854×480 canvas: a face in every frame, as face swap needs.
    await Ffmpeg("-loop", "1", "-framerate", "25", "-i", faceImage, "-f", "lavfi", "-i", $"sine=duration={duration}",
        "-vf", "scale=-2:480,pad=854:480:(ow-iw)/2:0,format=yuv420p", "-t", duration,
        "-c:v", "libx264", "-preset", "veryfast", "-c:a", "aac", "-shortest", faceClip);
    await Ffmpeg("-i", faceImage, "-vf", "scale=-2:480,pad=854:480:(ow-iw)/2:0:color=0xd8e4f0", "-frames:v", "1", still);
    // Another-looking face to swap in (mirrored, hue turned), as the face-swap tests use.
    var swapFace = Path.Combine(work, "swap.png");
    await Ffmpeg("-i", faceImage, "-vf", "hflip,hue=h=40:s=1.3,eq=brightness=0.06", "-frames:v", "1", swapFace);

    var processors = new ServiceCollection().AddBaselineProcessors().BuildServiceProvider()
        .GetServices<IJobProcessor>().ToDictionary(p => p.JobType);
    Console.WriteLine($"| processor | variant | input | output | wall time (s) | × real time |");
    Console.WriteLine("|---|---|---|---|---:|---:|");
    foreach (var (type, video, image) in new[]
    {
        (JobTypes.VideoEnhance, clip, (string?)null),
        (JobTypes.ImageToVideo, null, still),
        (JobTypes.FaceSwap, faceClip, swapFace),
        (JobTypes.BackgroundRemoval, null, still),
    })
    {
        foreach (var isHd in type == JobTypes.BackgroundRemoval ? [false] : new[] { false, true })
        {
            var attempt = Directory.CreateDirectory(Path.Combine(work, $"{type}-{isHd}")).FullName;
            var input = new ProcessorInput(Guid.CreateVersion7(), attempt, video, image, isHd, seconds, "zoom in");
            var clock = Stopwatch.StartNew();
            var result = await processors[type].ProcessAsync(input, new Progress<int>(), CancellationToken.None);
            clock.Stop();
            var output = await Probe(result.Outputs[0].Path);
            var inputText = video is null ? "854×480 image" : $"854×480, {duration} s";
            var measured = (await MediaProbe.ProbeFileAsync(result.Outputs[0].Path, CancellationToken.None))?.DurationSeconds ?? 0;
            var outputText = result.Outputs[0].ContentType == "video/mp4"
                ? string.Create(CultureInfo.InvariantCulture, $"{output}, {measured:0.0} s")
                : $"{output} PNG";
            var realTime = video is null && type == JobTypes.BackgroundRemoval ? "–" : (clock.Elapsed.TotalSeconds / seconds).ToString("0.00", CultureInfo.InvariantCulture);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {type} | {(isHd ? "HD" : "normal")} | {inputText} | {outputText} | {clock.Elapsed.TotalSeconds:0.0} | {realTime} |"));
        }
    }
}
finally
{
    // VERGING_BENCH_KEEP=1 leaves the inputs and outputs for a person to look at.
    if (Environment.GetEnvironmentVariable("VERGING_BENCH_KEEP") == "1")
    {
        await Console.Error.WriteLineAsync($"kept {work}");
    }
    else
    {
        Directory.Delete(work, recursive: true);
    }
}

// "W×H" of the output's picture, from ffprobe.
static async Task<string> Probe(string path)
{
    var (_, output, _) = await ExternalTool.RunAsync("ffprobe",
        ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0:s=x", path], TimeSpan.FromSeconds(30), CancellationToken.None);
    return output.Trim().Replace('x', '×');
}

static async Task Ffmpeg(params string[] arguments)
{
    var (exit, _, error) = await ExternalTool.RunAsync("ffmpeg", ["-nostdin", "-v", "error", "-y", .. arguments], TimeSpan.FromMinutes(5), CancellationToken.None);
    if (exit != 0)
    {
        throw new InvalidOperationException($"ffmpeg failed: {error}");
    }
}
