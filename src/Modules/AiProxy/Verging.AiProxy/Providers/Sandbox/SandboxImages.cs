using System.Security.Cryptography;
using System.Text;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Verging.AiProxy.Providers.Sandbox;

/// <summary>
/// Draws a real PNG from the prompt: two colours and a pattern taken from the prompt's SHA-256, so
/// the same prompt always gives the same picture and different prompts visibly differ.
/// </summary>
public static class SandboxImages
{
    public static byte[] Draw(string prompt, int index, string size)
    {
        var (width, height) = Parse(size);
        var seed = SHA256.HashData(Encoding.UTF8.GetBytes($"{prompt}\n{index}"));
        var from = new Rgba32(seed[0], seed[1], seed[2]);
        var to = new Rgba32(seed[3], seed[4], seed[5]);
        var rings = 4 + (seed[6] % 12);
        var cx = width * (0.25 + (seed[7] / 510.0));
        var cy = height * (0.25 + (seed[8] / 510.0));
        var maxRadius = Math.Sqrt((width * width) + (height * height));

        using var image = new Image<Rgba32>(width, height);
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (var x = 0; x < row.Length; x++)
                {
                    var t = (x + y) / (double)(width + height);
                    var distance = Math.Sqrt(((x - cx) * (x - cx)) + ((y - cy) * (y - cy))) / maxRadius;
                    var ring = (int)(distance * rings * 2) % 2 == 0 ? 1.0 : 0.75;
                    row[x] = new Rgba32(
                        (byte)(((from.R * (1 - t)) + (to.R * t)) * ring),
                        (byte)(((from.G * (1 - t)) + (to.G * t)) * ring),
                        (byte)(((from.B * (1 - t)) + (to.B * t)) * ring));
                }
            }
        });

        using var png = new MemoryStream();
        image.SaveAsPng(png);
        return png.ToArray();
    }

    public static (int Width, int Height) Parse(string size)
    {
        var parts = size.Split('x');
        return parts.Length == 2 && int.TryParse(parts[0], out var w) && int.TryParse(parts[1], out var h) ? (w, h) : (1024, 1024);
    }
}
