using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Verging.AiProxy.Providers.Sandbox;

/// <summary>Real facts about an image, computed from its pixels: what the sandbox "sees".</summary>
public static class SandboxVision
{
    public static string Describe(VisionImage image)
    {
        var bytes = image.Bytes ?? throw new InvalidOperationException("A vision image reaches the provider as bytes, never as a URL");
        try
        {
            using var decoded = Image.Load<Rgba32>(bytes, out var format);
            return $"The image is a {format.Name} of {decoded.Width}x{decoded.Height} pixels; dominant colours: {string.Join(", ", DominantColours(decoded))}.";
        }
        catch (UnknownImageFormatException)
        {
            return "The image could not be decoded.";
        }
    }

    /// <summary>The three most common colours after quantising to 4 levels per channel, as hex.</summary>
    public static IReadOnlyList<string> DominantColours(Image<Rgba32> image)
    {
        using var small = image.Clone(x => x.Resize(new ResizeOptions { Size = new Size(64, 64), Mode = ResizeMode.Max }));
        var counts = new Dictionary<(int, int, int), int>();
        small.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                foreach (var p in rows.GetRowSpan(y))
                {
                    var key = ((p.R / 64 * 64) + 32, (p.G / 64 * 64) + 32, (p.B / 64 * 64) + 32);
                    counts[key] = counts.GetValueOrDefault(key) + 1;
                }
            }
        });

        return counts.OrderByDescending(c => c.Value).Take(3)
            .Select(c => $"#{c.Key.Item1:x2}{c.Key.Item2:x2}{c.Key.Item3:x2}").ToList();
    }
}
