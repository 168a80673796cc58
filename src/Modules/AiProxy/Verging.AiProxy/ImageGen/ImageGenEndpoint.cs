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

namespace Verging.AiProxy.ImageGen;

/// <summary>Body of <c>POST /api/v1/ai/imagegen</c> (API reference).</summary>
public sealed record ImageGenRequest(
    string? Prompt, [property: DefaultValue("gpt-image-1")] string? Model, [property: DefaultValue("1024x1024")] string? Size,
    [property: DefaultValue("auto")] string? Quality, [property: DefaultValue(1)] int? N);

/// <summary>The reference's images and credits_consumed, plus the model and when the signed image URLs stop working (as TTS's audio_url).</summary>
public sealed record ImageGenResponse(IReadOnlyList<string> Images, long CreditsConsumed, string Model, DateTimeOffset? ExpiresAt);

public sealed class ImageGenRequestValidator : AbstractValidator<ImageGenRequest>
{
    public static readonly string[] Sizes = ["auto", "256x256", "512x512", "1024x1024", "1536x1024", "1024x1536", "1792x1024", "1024x1792"];
    public static readonly string[] Qualities = ["auto", "standard", "hd"];

    public ImageGenRequestValidator()
    {
        RuleFor(r => r.Prompt).NotEmpty().MaximumLength(32_000);
        RuleFor(r => r.Model).ValidModelName();
        RuleFor(r => r.Size).Must(s => s is null || Sizes.Contains(s)).WithMessage($"must be one of {string.Join(", ", Sizes)}");
        RuleFor(r => r.Quality).Must(q => q is null || Qualities.Contains(q)).WithMessage("must be auto, standard or hd");
        RuleFor(r => r.N).InclusiveBetween(1, 4).When(r => r.N is not null);
    }
}

public static class ImageGenEndpoint
{
    /// <summary>Generates 1–4 images; holds n × price, charges only for the images actually returned.</summary>
    [WolverinePost("/api/v1/ai/imagegen", Name = "ImageGen")]
    [ProducesResponseType<ImageGenResponse>(StatusCodes.Status200OK)]
    public static Task<IResult> Post(
        ImageGenRequest request, HttpContext http, IMessageBus bus, PaidRequest paid, IAiProvider provider, IBlobStore blobs, BlobUrlSigner signer)
    {
        var model = request.Model ?? "gpt-image-1";
        var quality = request.Quality ?? "auto";
        var count = request.N ?? 1;
        var size = request.Size is null or "auto" ? "1024x1024" : request.Size;
        var perImage = AiPricing.ImagePerImage(quality);
        return paid.RunAsync(http, bus, "imagegen", model, count * perImage, async cancellation =>
        {
            var images = await provider.GenerateImagesAsync(new ImageGenerationRequest(request.Prompt!, model, size, quality, count), cancellation);
            var urls = new List<string>(images.Count);
            DateTimeOffset? expiresAt = null;
            foreach (var image in images.Take(count))
            {
                using var png = new MemoryStream(image.Png);
                var stored = await blobs.PutAsync("proxy/imagegen", "png", png, "image/png", cancellation);
                var signed = signer.SignedUrl(http.Request, stored.Key);
                urls.Add(signed.Url);
                expiresAt ??= signed.ExpiresAt; // the first URL signed is the first to expire
            }

            var servedBy = provider.Name == "sandbox" ? Providers.Sandbox.SandboxProvider.ModelPrefix + model : model;
            return new PaidResult(urls.Count * perImage, servedBy, urls.Count, credits => new ImageGenResponse(urls, credits, servedBy, expiresAt));
        });
    }
}
