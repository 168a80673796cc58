using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Verging.Jobs.Processing;

namespace Verging.IntegrationTests.Jobs.Processors;

[Collection(ProcessorCollection.Name)]
public sealed class BackgroundRemovalProcessorTests : IDisposable
{
    private const int Width = 320;
    private const int Height = 240;
    private const int Radius = 60;
    private readonly ProcessorWorkspace work = new();

    [Fact]
    public async Task Cuts_a_disc_out_of_a_plain_background_into_a_png_with_alpha()
    {
        var image = await DiscOnPlainBackgroundAsync("disc.jpg");
        var progress = new RecordedProgress();

        var result = await new BackgroundRemovalProcessor().ProcessAsync(Input(image), progress, CancellationToken.None);

        var output = result.Outputs.ShouldHaveSingleItem();
        output.ContentType.ShouldBe("image/png");
        output.Name.ShouldBe("image");
        var bytes = await File.ReadAllBytesAsync(output.Path);
        bytes[..8].ShouldBe(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A });
        bytes[25].ShouldBe((byte)6, "IHDR colour type 6 is truecolour with alpha");
        using var cutout = Image.Load<Rgba32>(bytes);
        (cutout.Width, cutout.Height).ShouldBe((Width, Height));
        foreach (var (x, y) in new[] { (0, 0), (Width - 1, 0), (0, Height - 1), (Width - 1, Height - 1), (Width / 2, 2), (5, Height / 2), (30, 30) })
        {
            cutout[x, y].A.ShouldBe((byte)0, $"background pixel ({x},{y}) is transparent");
        }

        foreach (var (x, y) in new[] { (Width / 2, Height / 2), (Width / 2 - Radius / 2, Height / 2), (Width / 2, Height / 2 + Radius / 2) })
        {
            cutout[x, y].A.ShouldBe((byte)255, $"subject pixel ({x},{y}) is opaque");
            cutout[x, y].R.ShouldBeGreaterThan((byte)150, "the subject keeps its colour");
        }

        cutout[Width / 2 + Radius + 15, Height / 2].A.ShouldBeLessThan((byte)20, "just outside the disc is background");
        progress.Values[^1].ShouldBe(100);
    }

    [Fact]
    public async Task An_unreadable_image_fails_with_a_user_facing_message()
    {
        var image = work.PathOf("junk.png");
        await File.WriteAllTextAsync(image, "not an image");

        var failure = await Should.ThrowAsync<JobProcessingException>(
            new BackgroundRemovalProcessor().ProcessAsync(Input(image), new RecordedProgress(), CancellationToken.None));

        failure.Message.ShouldBe("the image could not be read");
    }

    /// <summary>A red disc on a light blue background with a little noise, as a JPEG (as a customer would upload).</summary>
    private async Task<string> DiscOnPlainBackgroundAsync(string name)
    {
        var random = new Random(7);
        using var picture = new Image<Rgba32>(Width, Height);
        for (var y = 0; y < Height; y++)
        {
            for (var x = 0; x < Width; x++)
            {
                var inside = Math.Pow(x - Width / 2, 2) + Math.Pow(y - Height / 2, 2) <= Radius * Radius;
                var noise = random.Next(-6, 7);
                picture[x, y] = inside
                    ? new Rgba32((byte)(210 + noise), (byte)(40 + noise), (byte)(40 + noise))
                    : new Rgba32((byte)(190 + noise), (byte)(215 + noise), (byte)(235 + noise));
            }
        }

        var path = work.PathOf(name);
        await picture.SaveAsJpegAsync(path);
        return path;
    }

    private ProcessorInput Input(string image) => new(Guid.CreateVersion7(), work.Directory, null, image, false, 0, null);

    public void Dispose() => work.Dispose();
}
