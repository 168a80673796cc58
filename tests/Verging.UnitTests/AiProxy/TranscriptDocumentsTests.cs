using Verging.AiProxy.Providers;
using Verging.AiProxy.Transcription;

namespace Verging.UnitTests.AiProxy;

/// <summary>SubRip and WebVTT as players read them: numbered cues (srt), hours past 99 minutes, milliseconds.</summary>
public sealed class TranscriptDocumentsTests
{
    private static readonly IReadOnlyList<TranscriptSegment> Segments = [new(0, 0, 1.5, "Hello"), new(1, 1.5, 3725.5004, "world")];

    [Fact]
    public void Srt_numbers_cues_from_1_with_a_comma_before_milliseconds() =>
        TranscriptDocuments.Render("srt", "Hello world", Segments).ShouldBe(
            "1\n00:00:00,000 --> 00:00:01,500\nHello\n\n2\n00:00:01,500 --> 01:02:05,500\nworld\n\n");

    [Fact]
    public void Vtt_starts_with_its_signature_and_uses_a_dot() =>
        TranscriptDocuments.Render("vtt", "Hello world", Segments).ShouldBe(
            "WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nHello\n\n00:00:01.500 --> 01:02:05.500\nworld\n\n");

    [Fact]
    public void Text_is_the_transcript_and_json_formats_are_no_document()
    {
        TranscriptDocuments.Render("text", "Hello world", Segments).ShouldBe("Hello world\n");
        TranscriptDocuments.Render("json", "Hello world", Segments).ShouldBeNull();
        TranscriptDocuments.Render("verbose_json", "Hello world", Segments).ShouldBeNull();
    }
}
