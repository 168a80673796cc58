using Verging.Jobs.Processing;

namespace Verging.UnitTests.Jobs;

public class ProcessorRulesTests
{
    [Theory]
    [InlineData(160, 120, false, 320, 240)]
    [InlineData(854, 480, false, 1708, 960)]
    [InlineData(1920, 1080, false, 3840, 2160)]
    [InlineData(3840, 2160, false, 3840, 2160)] // already 2160 lines: no upscale past UHD
    [InlineData(854, 480, true, 3844, 2160)]
    [InlineData(1280, 720, true, 3840, 2160)]
    [InlineData(480, 854, true, 1214, 2160)] // portrait keeps its aspect ratio
    [InlineData(161, 121, false, 322, 242)]
    public void Enhancement_doubles_or_reaches_2160_lines_with_even_sides(int width, int height, bool isHd, int expectedWidth, int expectedHeight)
    {
        var size = VideoEnhanceProcessor.TargetSize(width, height, isHd);

        size.ShouldBe((expectedWidth, expectedHeight));
        (size.Width % 2, size.Height % 2).ShouldBe((0, 0));
    }

    [Theory]
    [InlineData(null, "ZoomIn")]
    [InlineData("", "ZoomIn")]
    [InlineData("a calm sunset", "ZoomIn")]
    [InlineData("slow ZOOM IN on the face", "ZoomIn")]
    [InlineData("zoom out to reveal the city", "ZoomOut")]
    [InlineData("pull back slowly", "ZoomOut")]
    [InlineData("Pan left over the mountains", "PanLeft")]
    [InlineData("pan right", "PanRight")]
    [InlineData("a slow panorama", "PanRight")]
    [InlineData("zoom out then pan left", "ZoomOut")]
    public void The_prompt_picks_the_camera_move_deterministically(string? prompt, string expected) =>
        CameraMotion.FromPrompt(prompt).ToString().ShouldBe(expected);

    [Theory]
    [InlineData(100, 1000, 720)]
    [InlineData(1000, 100, 720)]
    [InlineData(500, 500, 720)]
    public void Image_to_video_frames_follow_the_image_orientation(int width, int height, int shortSide)
    {
        var (frameWidth, frameHeight) = ImageToVideoProcessor.FrameSize(width, height, isHd: false);

        Math.Min(frameWidth, frameHeight).ShouldBe(shortSide);
        (frameHeight > frameWidth).ShouldBe(height > width);
        ImageToVideoProcessor.FrameSize(width, height, isHd: true).ShouldBe(
            height > width ? (1080, 1920) : (1920, 1080));
    }

    [Theory]
    [InlineData("out_time_us=500000", 2.0, 25)]
    [InlineData("out_time_us=0", 2.0, 0)]
    [InlineData("out_time_us=2500000", 2.0, 99)] // past the probed duration: never 100 before ffmpeg says it ended
    [InlineData("out_time_us=N/A", 2.0, null)]
    [InlineData("progress=end", 2.0, 100)]
    [InlineData("progress=continue", 2.0, null)]
    [InlineData("frame=12", 2.0, null)]
    [InlineData("out_time_us=500000", 0.0, null)]
    public void Reads_ffmpeg_progress_lines(string line, double total, int? expected) =>
        ProgressLine.Percent(line, total).ShouldBe(expected);
}
