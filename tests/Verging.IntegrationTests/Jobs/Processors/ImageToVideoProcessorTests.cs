using Verging.Jobs.Processing;

namespace Verging.IntegrationTests.Jobs.Processors;

[Collection(ProcessorCollection.Name)]
public sealed class ImageToVideoProcessorTests : IDisposable
{
    private readonly ProcessorWorkspace work = new();

    [Fact]
    public async Task Makes_a_720p_mp4_of_the_requested_length()
    {
        var image = await work.PatternImageAsync(320, 240);
        var progress = new RecordedProgress();

        var result = await new ImageToVideoProcessor().ProcessAsync(Input(image, isHd: false, seconds: 2, prompt: "slow zoom in"), progress, CancellationToken.None);

        var output = result.Outputs.ShouldHaveSingleItem();
        output.ContentType.ShouldBe("video/mp4");
        var probed = await ProbedVideo.OfAsync(output.Path);
        (probed.Width, probed.Height).ShouldBe((1280, 720));
        probed.VideoCodec.ShouldBe("h264");
        probed.PixelFormat.ShouldBe("yuv420p");
        probed.Duration.ShouldBe(2.0, 0.1);
        progress.Values[^1].ShouldBe(100);
    }

    [Fact]
    public async Task Hd_of_a_portrait_image_is_1080_by_1920()
    {
        var image = await work.PatternImageAsync(120, 160);

        var result = await new ImageToVideoProcessor().ProcessAsync(Input(image, isHd: true, seconds: 0.5, prompt: null), new RecordedProgress(), CancellationToken.None);

        var probed = await ProbedVideo.OfAsync(result.Outputs[0].Path);
        (probed.Width, probed.Height).ShouldBe((1080, 1920));
        probed.Duration.ShouldBe(0.5, 0.1);
    }

    [Fact]
    public async Task The_prompt_changes_the_camera_move()
    {
        var image = await work.PatternImageAsync(320, 240);
        var panLeft = await new ImageToVideoProcessor().ProcessAsync(Input(image, false, 1, "pan left across the scene"), new RecordedProgress(), CancellationToken.None);
        var panLeftEnd = await File.ReadAllBytesAsync(await work.FrameAsync(panLeft.Outputs[0].Path, 0.9, "left.png"));
        File.Move(panLeft.Outputs[0].Path, work.PathOf("left.mp4"));
        var panRight = await new ImageToVideoProcessor().ProcessAsync(Input(image, false, 1, "pan right"), new RecordedProgress(), CancellationToken.None);
        var panRightEnd = await File.ReadAllBytesAsync(await work.FrameAsync(panRight.Outputs[0].Path, 0.9, "right.png"));

        panLeftEnd.ShouldNotBe(panRightEnd);
    }

    [Fact]
    public async Task An_unreadable_image_fails_with_a_user_facing_message()
    {
        var image = work.PathOf("junk.png");
        await File.WriteAllTextAsync(image, "not an image");

        var failure = await Should.ThrowAsync<JobProcessingException>(
            new ImageToVideoProcessor().ProcessAsync(Input(image, false, 1, null), new RecordedProgress(), CancellationToken.None));

        failure.Message.ShouldBe("the image could not be read");
    }

    private ProcessorInput Input(string image, bool isHd, double seconds, string? prompt) =>
        new(Guid.CreateVersion7(), work.Directory, null, image, isHd, seconds, prompt);

    public void Dispose() => work.Dispose();
}
