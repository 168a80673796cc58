using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Verging.AiProxy.Providers;

namespace Verging.AiProxy.Transcription;

/// <summary>
/// STT's <c>response_format</c> values other than JSON: the transcript as plain text, SubRip (srt) or WebVTT (vtt),
/// as OpenAI's transcription API writes them. The billing facts that JSON carries in its body travel in headers.
/// </summary>
public static class TranscriptDocuments
{
    public const string CreditsHeader = "X-Credits-Consumed";
    public const string DurationHeader = "X-Audio-Duration";

    /// <summary>The document for text, srt or vtt; null for the JSON formats.</summary>
    public static string? Render(string format, string text, IReadOnlyList<TranscriptSegment> segments) => format switch
    {
        "text" => text + "\n",
        "srt" => string.Concat(segments.Select((s, i) => $"{i + 1}\n{Time(s.Start, ',')} --> {Time(s.End, ',')}\n{s.Text}\n\n")),
        "vtt" => "WEBVTT\n\n" + string.Concat(segments.Select(s => $"{Time(s.Start, '.')} --> {Time(s.End, '.')}\n{s.Text}\n\n")),
        _ => null,
    };

    public static string MediaType(string format) => format == "vtt" ? "text/vtt; charset=utf-8" : "text/plain; charset=utf-8";

    /// <summary>The document as the response, with what was charged and the audio's length in headers.</summary>
    public static IResult Response(string format, string document, long credits, double duration) => new DocumentResult(MediaType(format), document, credits, duration);

    private static string Time(double seconds, char fraction)
    {
        var t = TimeSpan.FromMilliseconds(Math.Round(seconds * 1000));
        return string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours:00}:{t.Minutes:00}:{t.Seconds:00}{fraction}{t.Milliseconds:000}");
    }

    private sealed class DocumentResult(string mediaType, string document, long credits, double duration) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers[CreditsHeader] = credits.ToString(CultureInfo.InvariantCulture);
            httpContext.Response.Headers[DurationHeader] = duration.ToString(CultureInfo.InvariantCulture);
            httpContext.Response.ContentType = mediaType;
            return httpContext.Response.WriteAsync(document, Encoding.UTF8);
        }
    }
}
