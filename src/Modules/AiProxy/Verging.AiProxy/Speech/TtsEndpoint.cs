using System.ComponentModel;
using FluentValidation;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Verging.AiProxy.Billing;
using Verging.AiProxy.Pricing;
using Verging.AiProxy.Providers;
using Verging.SharedKernel.Blobs;
using Wolverine;
using Wolverine.Http;

namespace Verging.AiProxy.Speech;

/// <summary>Body of <c>POST /api/v1/ai/tts</c> (API reference).</summary>
public sealed record TtsRequest(
    string? Input, [property: DefaultValue("alloy")] string? Voice, [property: DefaultValue("tts-1-hd")] string? Model,
    [property: DefaultValue("mp3")] string? ResponseFormat, [property: DefaultValue(1.0)] double? Speed);

public sealed record TtsResponse(string AudioUrl, long CreditsConsumed, string Model, DateTimeOffset ExpiresAt);

public sealed class TtsRequestValidator : AbstractValidator<TtsRequest>
{
    public static readonly string[] Voices = ["alloy", "echo", "fable", "onyx", "nova", "shimmer"];
    public static readonly string[] Formats = ["mp3", "opus", "aac", "flac", "wav", "pcm"];
    public const int MaxCharacters = 4096;

    /// <summary>
    /// Characters as the reference means them, for the limit and the price: Unicode code points, so
    /// an emoji or a CJK character outside the basic plane is one character, not two UTF-16 units.
    /// </summary>
    public static int Characters(string input) => input.EnumerateRunes().Count();

    public TtsRequestValidator()
    {
        RuleFor(r => r.Input).NotEmpty().Must(i => i is null || Characters(i) <= MaxCharacters)
            .WithMessage(r => $"at most {MaxCharacters} characters; this input has {Characters(r.Input!)}");
        RuleFor(r => r.Voice).Must(v => v is null || Voices.Contains(v)).WithMessage($"must be one of {string.Join(", ", Voices)}");
        RuleFor(r => r.Model).ValidModelName();
        RuleFor(r => r.ResponseFormat).Must(f => f is null || Formats.Contains(f)).WithMessage($"must be one of {string.Join(", ", Formats)}");
        RuleFor(r => r.Speed).InclusiveBetween(0.25, 4.0).When(r => r.Speed is not null);
    }
}

public static class TtsEndpoint
{
    /// <summary>Speech from text: 2 credits per 1,000 characters (at least 1); the audio is returned as a signed URL.</summary>
    [WolverinePost("/api/v1/ai/tts", Name = "TextToSpeech")]
    [ProducesResponseType<TtsResponse>(StatusCodes.Status200OK)]
    public static Task<IResult> Post(
        TtsRequest request, HttpContext http, IMessageBus bus, PaidRequest paid, IAiProvider provider, IBlobStore blobs, BlobUrlSigner signer)
    {
        var model = request.Model ?? "tts-1-hd";
        var format = request.ResponseFormat ?? "mp3";
        var characters = TtsRequestValidator.Characters(request.Input!);
        var price = AiPricing.Speech(characters);
        return paid.RunAsync(http, bus, "tts", model, price, async cancellation =>
        {
            var audio = await provider.SpeakAsync(new SpeechRequest(request.Input!, request.Voice ?? "alloy", model, format, request.Speed ?? 1.0), cancellation);
            if (audio.Audio.Length == 0)
            {
                return new PaidResult(0, audio.Model, 0, _ => new object());
            }

            using var content = new MemoryStream(audio.Audio);
            var stored = await blobs.PutAsync("proxy/tts", format, content, "audio/" + format, cancellation);
            var (url, expiresAt) = signer.SignedUrl(http.Request, stored.Key);
            return new PaidResult(price, audio.Model, characters, credits => new TtsResponse(url, credits, audio.Model, expiresAt));
        });
    }
}
