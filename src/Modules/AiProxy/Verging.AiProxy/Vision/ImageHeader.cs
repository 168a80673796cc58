using SixLabors.ImageSharp;

namespace Verging.AiProxy.Vision;

/// <summary>
/// What an image's header says, read without decoding its pixels: enough to refuse, before any credit is
/// held, an image whose header cannot be read or that has no pixels, whatever its first bytes claimed.
/// </summary>
public static class ImageHeader
{
    /// <summary>The image's size, or null with <paramref name="problem"/> naming <paramref name="field"/>.</summary>
    public static (int Width, int Height)? Read(byte[] bytes, string field, out string? problem)
    {
        problem = null;
        try
        {
            if (Image.Identify(bytes) is { Width: > 0, Height: > 0 } info)
            {
                return (info.Width, info.Height);
            }
        }
        catch (Exception e) when (e is ImageFormatException or NotSupportedException or ArgumentException)
        {
            // Below: the same answer as a header that names no size.
        }

        problem = IsAnimatedWebp(bytes)
            ? $"{field}: animated WebP images are not supported; send a still image (png, jpeg, gif or a still webp)"
            : $"{field}: the image could not be read (its header is damaged or names no size)";
        return null;
    }

    // RIFF....WEBP, then a VP8X chunk whose flags byte has the animation bit (0x02): the one kind of image
    // with a sound header that ImageSharp 2 does not read.
    private static bool IsAnimatedWebp(ReadOnlySpan<byte> bytes) =>
        bytes.Length > 20 && bytes[..4].SequenceEqual("RIFF"u8) && bytes[8..12].SequenceEqual("WEBP"u8)
        && bytes[12..16].SequenceEqual("VP8X"u8) && (bytes[20] & 0x02) != 0;
}
