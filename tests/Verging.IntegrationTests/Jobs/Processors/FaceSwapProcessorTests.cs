using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Verging.Jobs.Processing;

namespace Verging.IntegrationTests.Jobs.Processors;

[Collection(ProcessorCollection.Name)]
public sealed class FaceSwapProcessorTests : IDisposable
{
    private readonly ProcessorWorkspace work = new();

    [Fact]
    public async Task Blends_the_swap_face_onto_the_face_in_every_frame_and_keeps_the_audio()
    {
        var video = work.PathOf("target.mp4");
        await FaceMedia.MakeFaceVideoAsync(video, seconds: 1.5);
        var swap = work.PathOf("swap.png");
        await FaceMedia.MakeSwapImageAsync(swap);
        var progress = new RecordedProgress();

        var result = await new FaceSwapProcessor().ProcessAsync(Input(video, swap), progress, CancellationToken.None);

        var output = result.Outputs.ShouldHaveSingleItem();
        output.ContentType.ShouldBe("video/mp4");
        var probed = await ProbedVideo.OfAsync(output.Path);
        (probed.Width, probed.Height).ShouldBe((320, 320));
        probed.VideoCodec.ShouldBe("h264");
        probed.AudioCodec.ShouldBe("aac");
        probed.Duration.ShouldBe(1.5, 0.15);
        progress.Values[^1].ShouldBe(100);

        using var before = Image.Load<Rgba32>(await work.FrameAsync(video, 0.7, "before.png"));
        using var after = Image.Load<Rgba32>(await work.FrameAsync(output.Path, 0.7, "after.png"));
        // In the 320 px frame the astronaut's face sits around (140,75)–(175,115); the corners are flag and wall.
        MeanDifference(before, after, 130, 65, 50, 50).ShouldBeGreaterThan(8, "the face region changed");
        MeanDifference(before, after, 0, 250, 60, 60).ShouldBeLessThan(4, "away from the face the frame is untouched");
    }

    [Fact]
    public async Task A_swap_image_without_a_face_fails_with_a_clear_message()
    {
        var video = work.PathOf("target.mp4");
        await FaceMedia.MakeFaceVideoAsync(video, seconds: 0.5);
        var swap = await work.PatternImageAsync(320, 240);

        var failure = await Should.ThrowAsync<JobProcessingException>(
            new FaceSwapProcessor().ProcessAsync(Input(video, swap), new RecordedProgress(), CancellationToken.None));

        failure.Message.ShouldBe("no face was found in the swap image");
    }

    [Fact]
    public async Task A_video_without_a_face_fails_with_a_clear_message()
    {
        var video = await work.PatternVideoAsync(320, 240, 0.5);

        var failure = await Should.ThrowAsync<JobProcessingException>(
            new FaceSwapProcessor().ProcessAsync(Input(video, FaceMedia.FaceImagePath), new RecordedProgress(), CancellationToken.None));

        failure.Message.ShouldBe("no face was found in any frame of the target video");
    }

    [Fact]
    public async Task Cancelling_stops_both_ffmpeg_processes()
    {
        var video = work.PathOf("target.mp4");
        await FaceMedia.MakeFaceVideoAsync(video, seconds: 8);
        using var cancellation = new CancellationTokenSource();
        var progress = new RecordedProgress();
        progress.Reported += p =>
        {
            if (p >= 5)
            {
                cancellation.Cancel();
            }
        };

        await Should.ThrowAsync<OperationCanceledException>(
            new FaceSwapProcessor().ProcessAsync(Input(video, FaceMedia.FaceImagePath), progress, cancellation.Token));

        progress.Values.ShouldNotContain(100);
        RunningProcesses.Mentioning(work.Directory).ShouldBeEmpty();
    }

    private static double MeanDifference(Image<Rgba32> a, Image<Rgba32> b, int left, int top, int width, int height)
    {
        var sum = 0.0;
        for (var y = top; y < top + height; y++)
        {
            for (var x = left; x < left + width; x++)
            {
                sum += Math.Abs(a[x, y].R - b[x, y].R) + Math.Abs(a[x, y].G - b[x, y].G) + Math.Abs(a[x, y].B - b[x, y].B);
            }
        }

        return sum / (3.0 * width * height);
    }

    private ProcessorInput Input(string video, string image) => new(Guid.CreateVersion7(), work.Directory, video, image, false, 0, null);

    public void Dispose() => work.Dispose();
}
