using System.Globalization;
using Verging.IntegrationTests.Infrastructure;

namespace Verging.IntegrationTests.Jobs;

/// <summary>Tiny real media made by ffmpeg for job tests: a test-pattern video with a tone, and still images.</summary>
public static class JobMedia
{
    public static Task<byte[]> VideoAsync(double seconds, int width = 160, int height = 120) =>
        MakeAsync("mp4",
            "-f", "lavfi", "-i", $"testsrc=size={width}x{height}:rate=15:duration={Invariant(seconds)}",
            "-f", "lavfi", "-i", $"sine=frequency=440:duration={Invariant(seconds)}",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest");

    /// <summary>
    /// <paramref name="mp4"/> with the summary durations of its movie, media and track headers (mvhd, mdhd, tkhd)
    /// divided by <paramref name="factor"/>: ffprobe reports the shorter length, while every frame still plays.
    /// </summary>
    public static byte[] WithUnderstatedDuration(byte[] mp4, int factor)
    {
        var copy = (byte[])mp4.Clone();
        foreach (var (box, durationOffset) in new[] { ("mvhd", 20), ("mdhd", 20), ("tkhd", 24) })
        {
            var span = copy.AsSpan();
            for (var at = span.IndexOf(System.Text.Encoding.ASCII.GetBytes(box)); at >= 0;)
            {
                // Version 0 boxes (what ffmpeg writes for short files): 32-bit fields after the box name.
                var field = span.Slice(at + durationOffset, 4);
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(field, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(field) / (uint)factor);
                var next = span[(at + 4)..].IndexOf(System.Text.Encoding.ASCII.GetBytes(box));
                at = next < 0 ? -1 : at + 4 + next;
            }
        }

        return copy;
    }

    /// <summary>A red disc on a plain grey background (something to cut out), as PNG.</summary>
    public static Task<byte[]> ImageAsync(int size = 96) =>
        MakeAsync("png", "-f", "lavfi", "-i", $"color=c=gray:size={size}x{size}",
            "-vf", $"geq=r='if(lt(hypot(X-{size / 2},Y-{size / 2}),{size / 4}),220,128)':g='if(lt(hypot(X-{size / 2},Y-{size / 2}),{size / 4}),30,128)':b='if(lt(hypot(X-{size / 2},Y-{size / 2}),{size / 4}),30,128)'",
            "-frames:v", "1");

    /// <summary>A plain grey PNG: small as a file whatever its size in pixels.</summary>
    public static Task<byte[]> PlainPngAsync(int width, int height) =>
        MakeAsync("png", "-f", "lavfi", "-i", $"color=c=gray:size={width}x{height}", "-frames:v", "1");

    public static Task<byte[]> JpegAsync(int size = 96) =>
        MakeAsync("jpg", "-f", "lavfi", "-i", $"testsrc=size={size}x{size}", "-frames:v", "1");

    private static string Invariant(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static async Task<byte[]> MakeAsync(string extension, params string[] arguments)
    {
        var path = Path.Combine(Path.GetTempPath(), $"verging-job-media-{Guid.NewGuid():N}.{extension}");
        try
        {
            await TestMedia.FfmpegAsync([.. arguments, path]);
            return await File.ReadAllBytesAsync(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
