using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Memory;
using Verging.AiProxy.Vision;
using Verging.SharedKernel;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Verging.AiProxy.Providers.Sandbox;

/// <summary>Real facts about an image, computed from its pixels: what the sandbox "sees".</summary>
public static class SandboxVision
{
    /// <summary>
    /// Larger images are described from their header alone: a small file may declare 30000x30000 pixels, and
    /// decoding it would take gigabytes of memory and half a minute for a colour count.
    /// </summary>
    public const long MaxDecodedPixels = 25_000_000;

    public static string Describe(VisionImage image)
    {
        var field = image.Url is null ? "file" : VisionImageSource.Field;
        IImageInfo? info;
        IImageFormat? format;
        try
        {
            info = Image.Identify(image.Content, out format);
        }
        catch (Exception e) when (e is ImageFormatException or NotSupportedException)
        {
            throw Undecodable(field);
        }

        if (info is null || format is null)
        {
            throw Undecodable(field);
        }

        if ((long)info.Width * info.Height > MaxDecodedPixels)
        {
            return $"The image is a {format.Name} of {info.Width}x{info.Height} pixels; the sandbox reads the colours of images of at most {MaxDecodedPixels / 1_000_000} megapixels.";
        }

        try
        {
            using var decoded = Image.Load<Rgba32>(image.Content);
            var colours = DominantColours(decoded);
            return colours.Count == 0
                ? $"The image is a {format.Name} of {decoded.Width}x{decoded.Height} pixels, fully transparent."
                : $"The image is a {format.Name} of {decoded.Width}x{decoded.Height} pixels; dominant colours: {string.Join(", ", colours)}.";
        }
        catch (Exception e) when (e is ImageFormatException or NotSupportedException or InvalidMemoryOperationException)
        {
            // The header was fine, the pixels are not (a truncated or damaged file): the client's image, not our failure.
            throw Undecodable(field);
        }
    }

    private static VisionImageException Undecodable(string field) =>
        new(ApiError.BadRequest($"{field}: the image could not be decoded (truncated or damaged data)"));

    /// <summary>
    /// The three most common colours: pixels are grouped by colour quantised to 4 levels per channel, and each
    /// group is reported as the mean of its pixels (a pure black image is #000000, not its group's centre).
    /// Fully transparent pixels have no colour and are left out.
    /// </summary>
    public static IReadOnlyList<string> DominantColours(Image<Rgba32> image)
    {
        // A sample of at most 64x64 pixels, taken (nearest neighbour) rather than blended: blending would invent
        // colours along every edge. A smaller image is used as it is.
        using var small = image.Width <= 64 && image.Height <= 64
            ? image.Clone()
            : image.Clone(x => x.Resize(new ResizeOptions { Size = new Size(64, 64), Mode = ResizeMode.Max, Sampler = KnownResamplers.NearestNeighbor }));
        var groups = new Dictionary<int, (int Count, long R, long G, long B)>();
        small.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                foreach (var p in rows.GetRowSpan(y))
                {
                    if (p.A == 0)
                    {
                        continue;
                    }

                    var key = (p.R / 64 * 16) + (p.G / 64 * 4) + (p.B / 64);
                    var (count, r, g, b) = groups.GetValueOrDefault(key);
                    groups[key] = (count + 1, r + p.R, g + p.G, b + p.B);
                }
            }
        });

        return groups.Values.OrderByDescending(c => c.Count).Take(3)
            .Select(c => $"#{c.R / c.Count:x2}{c.G / c.Count:x2}{c.B / c.Count:x2}").ToList();
    }
}
