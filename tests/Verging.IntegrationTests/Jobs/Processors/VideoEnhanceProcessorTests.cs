using Verging.Jobs.Processing;

namespace Verging.IntegrationTests.Jobs.Processors;

[Collection(ProcessorCollection.Name)]
public sealed class VideoEnhanceProcessorTests : IDisposable
{
    private readonly ProcessorWorkspace work = new();

    [Fact]
    public async Task Doubles_the_frame_into_an_h264_mp4_and_keeps_the_audio()
    {
        var source = await work.PatternVideoAsync(160, 120, 1);
        var progress = new RecordedProgress();

        var result = await new VideoEnhanceProcessor().ProcessAsync(Input(source, isHd: false), progress, CancellationToken.None);

        var output = result.Outputs.ShouldHaveSingleItem();
        output.ContentType.ShouldBe("video/mp4");
        output.Name.ShouldBe("video");
        Path.GetDirectoryName(output.Path).ShouldBe(work.Directory);
        var probed = await ProbedVideo.OfAsync(output.Path);
        (probed.Width, probed.Height).ShouldBe((320, 240));
        probed.VideoCodec.ShouldBe("h264");
        probed.PixelFormat.ShouldBe("yuv420p");
        probed.AudioCodec.ShouldBe("aac");
        probed.Duration.ShouldBe(1.0, 0.15);
        progress.Values.ShouldNotBeEmpty();
        progress.Values[^1].ShouldBe(100);
        progress.Values.ShouldBe(progress.Values.Order().ToList(), "progress never goes backwards");
    }

    [Fact]
    public async Task Hd_scales_to_2160_lines_keeping_the_aspect_ratio_and_works_without_audio()
    {
        var source = await work.PatternVideoAsync(160, 120, 0.4, withAudio: false);

        var result = await new VideoEnhanceProcessor().ProcessAsync(Input(source, isHd: true), new RecordedProgress(), CancellationToken.None);

        var probed = await ProbedVideo.OfAsync(result.Outputs[0].Path);
        (probed.Width, probed.Height).ShouldBe((2880, 2160));
        probed.AudioCodec.ShouldBeNull();
    }

    [Fact]
    public async Task A_file_that_is_not_a_video_fails_with_a_user_facing_message()
    {
        var source = work.PathOf("junk.mp4");
        await File.WriteAllTextAsync(source, "this is not a video");

        var failure = await Should.ThrowAsync<JobProcessingException>(
            new VideoEnhanceProcessor().ProcessAsync(Input(source, isHd: false), new RecordedProgress(), CancellationToken.None));

        failure.Message.ShouldBe("the video could not be read");
    }

    [Fact]
    public async Task Cancelling_stops_ffmpeg()
    {
        var source = await work.PatternVideoAsync(320, 240, 10);
        using var cancellation = new CancellationTokenSource();
        var progress = new RecordedProgress();
        progress.Reported += _ => cancellation.Cancel();

        var run = new VideoEnhanceProcessor().ProcessAsync(Input(source, isHd: true), progress, cancellation.Token);

        await Should.ThrowAsync<OperationCanceledException>(run);
        progress.Values.ShouldNotContain(100);
        RunningProcesses.Mentioning(work.Directory).ShouldBeEmpty("no ffmpeg is left working in the job's directory");
    }

    private ProcessorInput Input(string video, bool isHd) =>
        new(Guid.CreateVersion7(), work.Directory, video, null, isHd, 0, null);

    public void Dispose() => work.Dispose();
}

/// <summary>Processes whose command line mentions a path (Linux /proc), to prove a cancelled job left none running.</summary>
internal static class RunningProcesses
{
    public static IReadOnlyList<string> Mentioning(string path) =>
        System.IO.Directory.EnumerateDirectories("/proc")
            .Where(d => int.TryParse(Path.GetFileName(d), out _))
            .Select(d =>
            {
                try
                {
                    return File.ReadAllText(Path.Combine(d, "cmdline")).Replace('\0', ' ');
                }
                catch (IOException)
                {
                    return string.Empty;
                }
                catch (UnauthorizedAccessException)
                {
                    return string.Empty;
                }
            })
            .Where(command => command.Contains(path, StringComparison.Ordinal))
            .ToList();
}
