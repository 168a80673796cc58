using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Verging.AiProxy.Providers;
using Verging.AiProxy.Providers.Sandbox;

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
}
