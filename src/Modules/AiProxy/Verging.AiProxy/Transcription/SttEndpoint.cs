using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Verging.AiProxy.Billing;
using Verging.AiProxy.Pricing;
using Verging.AiProxy.Providers;
using Verging.SharedKernel;
using Verging.SharedKernel.Http;
using Verging.SharedKernel.Media;
using Wolverine;
using Wolverine.Http;

namespace Verging.AiProxy.Transcription;

public sealed record SttResponse(string Text, string? Language, double Duration, long CreditsConsumed, string Model);

/// <summary><c>response_format=verbose_json</c>: the JSON answer and the transcript's timed segments.</summary>
public sealed record SttVerboseResponse(string Text, string? Language, double Duration, long CreditsConsumed, string Model, IReadOnlyList<TranscriptSegment> Segments);

public static class SttEndpoint
{
    public const long MaxFileBytes = 25L * 1024 * 1024;
    public static readonly string[] ResponseFormats = ["json", "text", "srt", "verbose_json", "vtt"];

    /// <summary>
    /// Transcribes an uploaded file (multipart; mp3, mp4, mpeg, mpga, m4a, wav, webm; at most 25 MB). The answer
    /// is JSON (json, verbose_json with timed segments) or the transcript itself (text, srt, vtt; what was
    /// charged in <c>X-Credits-Consumed</c>).
    /// The type is decided by the file's bytes, and the price by the duration of its audio as decoded (not as
    /// its header claims).
    /// </summary>
    [WolverinePost("/api/v1/ai/stt", Name = "SpeechToText")]
    [ProducesResponseType<SttResponse>(StatusCodes.Status200OK)]
    [RequestSizeLimit(MaxFileBytes + (64 * 1024))]
    public static async Task<IResult> Post(HttpContext http, IMessageBus bus, PaidRequest paid, IAiProvider provider)
    {
        var form = await MultipartInput.ReadAsync(http);
        if (form.Error is not null)
        {
            return form.Error;
        }

        var file = form.Form!.Files.GetFile("file");
        if (file is null || file.Length == 0)
        {
            return ApiError.BadRequest("file: required, the audio file to transcribe");
        }

        if (file.Length > MaxFileBytes)
        {
            return new ApiError(413, ErrorCodes.PayloadTooLarge, "file: larger than the 25 MB limit");
        }

        var fields = form.Form!;
        var problems = new List<string>();
        var model = MultipartInput.Text(fields, "model", "whisper-1", int.MaxValue, problems);
        ModelName.Check(model, problems);
        var language = LanguageCode(MultipartInput.Text(fields, "language", null, 16, problems), problems);
        var responseFormat = MultipartInput.Text(fields, "response_format", "json", 20, problems);
        if (!ResponseFormats.Contains(responseFormat))
        {
            problems.Add($"response_format: must be one of {string.Join(", ", ResponseFormats)}");
        }

        var temperature = MultipartInput.Number(fields, "temperature", 0, 1, problems);
        if (problems.Count > 0)
        {
            return ApiError.BadRequest(string.Join("; ", problems));
        }

        var bytes = await MultipartInput.ReadAllAsync(file, http.RequestAborted);
        var probed = ContentSniffer.AudioType(bytes) is null ? null : await MediaProbe.ProbeAudioAsync(bytes, http.RequestAborted);
        if (probed is null || !probed.HasAudio || probed.DurationSeconds <= 0)
        {
            return new ApiError(415, ErrorCodes.UnsupportedMediaType, "file: not audio in a supported format (mp3, mp4, mpeg, mpga, m4a, wav, webm)");
        }

        var price = AiPricing.Transcription(probed.DurationSeconds);
        var duration = Math.Round(probed.DurationSeconds, 2);
        return await paid.RunAsync(http, bus, "stt", model!, price, async cancellation =>
        {
            var transcript = await provider.TranscribeAsync(
                new TranscriptionRequest(bytes, Path.GetFileName(file.FileName), model!, language, responseFormat!, temperature, probed.DurationSeconds), cancellation);
            return new PaidResult(string.IsNullOrWhiteSpace(transcript.Text) ? 0 : price, transcript.Model, duration, credits => responseFormat switch
            {
                "json" => new SttResponse(transcript.Text, transcript.Language, duration, credits, transcript.Model),
                "verbose_json" => new SttVerboseResponse(transcript.Text, transcript.Language, duration, credits, transcript.Model, transcript.Segments ?? []),
                _ => TranscriptDocuments.Response(responseFormat!, transcript.Document ?? transcript.Text, credits, duration),
            });
        });
    }

    /// <summary>
    /// An ISO 639 language code (two letters as Whisper takes them, three for the languages that have
    /// none), lower-cased; anything else would only come back as the provider's 400, a 502 to the client.
    /// </summary>
    internal static string? LanguageCode(string? value, List<string> problems)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Length is < 2 or > 3 || !value.All(char.IsAsciiLetter))
        {
            problems.Add("language: must be an ISO 639 language code such as en, zh or ja");
            return null;
        }

        return value.ToLowerInvariant();
    }
}
