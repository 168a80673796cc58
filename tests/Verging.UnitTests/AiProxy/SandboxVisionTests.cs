using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Verging.AiProxy.Providers;
using Verging.AiProxy.Providers.Sandbox;
using Verging.AiProxy.Vision;

namespace Verging.UnitTests.AiProxy;

/// <summary>The sandbox "sees" real facts: exact colours for solid areas, the biggest area first, transparency left out.</summary>
public sealed class SandboxVisionTests
{
    [Theory]
    [InlineData(0, 0, 0, "#000000")]
    [InlineData(255, 255, 255, "#ffffff")]
    [InlineData(255, 0, 0, "#ff0000")]
    [InlineData(18, 52, 86, "#123456")]
    public void A_solid_image_reports_its_exact_colour(byte r, byte g, byte b, string hex)
    {
        using var image = new Image<Rgba32>(20, 10, new Rgba32(r, g, b));
        SandboxVision.DominantColours(image).ShouldBe([hex]);
    }

    [Fact]
    public void Colours_come_largest_area_first()
    {
        using var image = new Image<Rgba32>(10, 10, new Rgba32(0, 0, 255));
        for (var x = 0; x < 7; x++)
        {
            for (var y = 0; y < 10; y++)
            {
                image[x, y] = new Rgba32(0, 255, 0);
            }
        }

        SandboxVision.DominantColours(image).ShouldBe(["#00ff00", "#0000ff"]);
    }

    [Fact]
    public void A_fully_transparent_image_has_no_colour()
    {
        using var image = new Image<Rgba32>(8, 8, new Rgba32(0, 0, 0, 0));
        using var png = new MemoryStream();
        image.SaveAsPng(png);
        SandboxVision.Describe(new VisionImage(null, png.ToArray(), "image/png")).ShouldBe("The image is a PNG of 8x8 pixels, fully transparent.");
    }
    [Fact]
    public void A_truncated_image_is_the_clients_400_naming_the_field_not_a_failure_of_ours()
    {
        var png = Png(64, 48);
        var truncated = png[..(png.Length / 2)];
        ImageHeader.Read(truncated, "file", out _).ShouldBe((64, 48), "the header is intact: only decoding finds the damage");

        var upload = Should.Throw<VisionImageException>(() => SandboxVision.Describe(new VisionImage(null, truncated, "image/png")));
        (upload.Error.Status, upload.Error.Message).ShouldBe((400, "file: the image could not be decoded (truncated or damaged data)"));
        var byUrl = Should.Throw<VisionImageException>(() => SandboxVision.Describe(new VisionImage("https://example.com/a.png", truncated, "image/png")));
        byUrl.Error.Message.ShouldStartWith("image_url: ");
    }

    [Fact]
    public void A_huge_image_is_described_from_its_header_without_decoding_its_pixels()
    {
        // 30000x30000 declared in a file of a few hundred bytes: decoding it would take 3.6 GB.
        var bomb = WithSize(Png(1, 1), 30_000, 30_000);
        ImageHeader.Read(bomb, "file", out _).ShouldBe((30_000, 30_000));

        var started = System.Diagnostics.Stopwatch.StartNew();
        SandboxVision.Describe(new VisionImage(null, bomb, "image/png"))
            .ShouldBe("The image is a PNG of 30000x30000 pixels; the sandbox reads the colours of images of at most 25 megapixels.");
        started.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(10, 0)]
    public void An_image_whose_header_names_no_size_is_refused_by_its_header(int width, int height)
    {
        ImageHeader.Read(WithSize(Png(1, 1), width, height), "file", out var problem).ShouldBeNull();
        problem.ShouldBe("file: the image could not be read (its header is damaged or names no size)");
        ImageHeader.Read([0x89, (byte)'P', (byte)'N', (byte)'G'], "image_url", out problem).ShouldBeNull();
        problem.ShouldStartWith("image_url: ");
    }

    private static byte[] Png(int width, int height)
    {
        using var image = new Image<Rgba32>(width, height, new Rgba32(10, 20, 30));
        using var png = new MemoryStream();
        image.SaveAsPng(png);
        return png.ToArray();
    }

    /// <summary>The PNG with its IHDR size replaced (and the chunk's CRC made right again).</summary>
    private static byte[] WithSize(byte[] png, int width, int height)
    {
        var copy = (byte[])png.Clone();
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(copy.AsSpan(16), width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(copy.AsSpan(20), height);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(29), Crc32(copy.AsSpan(12, 17)));
        return copy;
    }

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }
}
