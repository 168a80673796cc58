using System.Globalization;
using Verging.IntegrationTests.Infrastructure;

namespace Verging.IntegrationTests.Jobs.Processors;

/// <summary>
/// Real faces for face-swap tests, made offline. The photograph is NASA's public-domain portrait of astronaut
/// Eileen Collins that scikit-image ships (Debian package python3-skimage); scripts/lib.sh (ensure_tools) extracts
/// it to ~/.cache/verging/astronaut.png, or it is used where python3-skimage is installed.
/// </summary>
public static class FaceMedia
{
    private static readonly string[] Candidates =
    [
        Environment.GetEnvironmentVariable("VERGING_FACE_IMAGE") ?? string.Empty,
        "/usr/lib/python3/dist-packages/skimage/data/astronaut.png",
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "verging", "astronaut.png"),
    ];

    /// <summary>The 512×512 astronaut portrait (one frontal face, about 110 px wide).</summary>
    public static string FaceImagePath =>
        Candidates.FirstOrDefault(p => p.Length > 0 && File.Exists(p))
        ?? throw new InvalidOperationException(
            "the face sample is missing: run `. scripts/lib.sh; ensure_tools` (it extracts astronaut.png from python3-skimage)");

    /// <summary>The portrait as PNG bytes (an upload for a face-swap job).</summary>
    public static Task<byte[]> FaceImageAsync() => File.ReadAllBytesAsync(FaceImagePath);

    /// <summary>
    /// A different-looking face to swap in: the portrait mirrored, its hue turned and its face shifted, so an output
    /// that carries it is measurably different from the target. Written as PNG to <paramref name="path"/>.
    /// </summary>
    public static Task MakeSwapImageAsync(string path) =>
        RunFfmpegAsync("-i", FaceImagePath, "-vf", "hflip,hue=h=40:s=1.3,eq=brightness=0.06", "-frames:v", "1", path);

    /// <summary>
    /// A short mp4 of the portrait (320×320, H.264, 25 fps) with a 440 Hz AAC tone, written to <paramref name="path"/>:
    /// a target video with a face in every frame.
    /// </summary>
    public static Task MakeFaceVideoAsync(string path, double seconds = 1.5, int size = 320)
    {
        var duration = seconds.ToString(CultureInfo.InvariantCulture);
        return RunFfmpegAsync(
            "-loop", "1", "-framerate", "25", "-i", FaceImagePath,
            "-f", "lavfi", "-i", $"sine=frequency=440:duration={duration}",
            "-vf", $"scale={size}:{size},format=yuv420p", "-t", duration,
            "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest", path);
    }

    /// <summary>The same, as bytes (an upload for a face-swap job).</summary>
    public static async Task<byte[]> FaceVideoAsync(double seconds = 1.5)
    {
        var path = Path.Combine(Path.GetTempPath(), $"verging-face-{Guid.NewGuid():N}.mp4");
        try
        {
            await MakeFaceVideoAsync(path, seconds);
            return await File.ReadAllBytesAsync(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    internal static Task RunFfmpegAsync(params string[] arguments) => TestMedia.FfmpegAsync(arguments);
}
