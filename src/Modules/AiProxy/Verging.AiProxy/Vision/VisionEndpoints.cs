using System.ComponentModel;
using FluentValidation;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Verging.AiProxy.Chat;
using Verging.AiProxy.Providers;
using Verging.AiProxy.Transcription;
using Verging.SharedKernel;
using Verging.SharedKernel.Fetching;
using Verging.SharedKernel.Http;
using Verging.SharedKernel.Media;
using Wolverine;
using Wolverine.Http;

namespace Verging.AiProxy.Vision;

/// <summary>Body of <c>POST /api/v1/ai/vision</c> (API reference, option A).</summary>
public sealed record VisionRequest(string? Prompt, string? ImageUrl, [property: DefaultValue("gpt-4o")] string? Model, [property: DefaultValue(1024L)] long? MaxTokens);

public sealed class VisionRequestValidator : AbstractValidator<VisionRequest>
{
    public VisionRequestValidator()
    {
        RuleFor(r => r.Prompt).NotEmpty().MaximumLength(100_000);
        // The cheap checks of the URL itself; its addresses are checked when it is fetched (VisionImageSource).
        RuleFor(r => r.ImageUrl).Cascade(CascadeMode.Stop).NotEmpty()
            .Must(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) && AddressPolicy.CheckUrl(uri, VisionImageSource.Field) is null)
            .WithMessage("must be an absolute http(s) URL of a png, jpeg, gif or webp image, without a user name or password");
        RuleFor(r => r.Model).ValidModelName();
        RuleFor(r => r.MaxTokens).InclusiveBetween(1, 16_384).When(r => r.MaxTokens is not null);
    }
}

public static class VisionEndpoints
{
    public const long DefaultMaxTokens = 1024;
    public const long MaxImageBytes = 20L * 1024 * 1024;

    /// <summary>
    /// Analyses the image at a URL. 1 credit base + the chat rate; needs at least 5 available credits. We fetch the
    /// image (SSRF-guarded, at most 20 MB, typed by content) once the credits are held; a URL that cannot be used
    /// releases them and answers 400.
    /// </summary>
    [WolverinePost("/api/v1/ai/vision", Name = "Vision")]
    [ProducesResponseType<ChatResponse>(StatusCodes.Status200OK)]
    public static Task<IResult> Post(VisionRequest request, HttpContext http, IMessageBus bus, ChatPipeline pipeline) =>
        pipeline.RunAsync(http, bus, Call(request.Prompt!, request.Model, new VisionImage(request.ImageUrl, null, null)), request.MaxTokens ?? DefaultMaxTokens, false, "vision");

    /// <summary>Analyses an uploaded image (multipart: prompt, file; png, jpeg, gif or webp by content; at most 20 MB).</summary>
    [WolverinePost("/api/v1/ai/vision/upload", Name = "VisionUpload")]
    [ProducesResponseType<ChatResponse>(StatusCodes.Status200OK)]
    [RequestSizeLimit(MaxImageBytes + (64 * 1024))]
    public static async Task<IResult> Upload(HttpContext http, IMessageBus bus, ChatPipeline pipeline)
    {
        var form = await MultipartInput.ReadAsync(http);
        if (form.Error is not null)
        {
            return form.Error;
        }

        var problems = new List<string>();
        var prompt = MultipartInput.Text(form.Form!, "prompt", null, 100_000, problems);
        var model = MultipartInput.Text(form.Form!, "model", null, int.MaxValue, problems);
        ModelName.Check(model, problems);
        var maxTokens = MultipartInput.WholeNumber(form.Form!, "max_tokens", 1, 16_384, problems);
        var file = form.Form!.Files.GetFile("file");
        if (string.IsNullOrWhiteSpace(prompt))
        {
            problems.Add("prompt: required");
        }

        if (file is null || file.Length == 0)
        {
            problems.Add("file: required, the image to analyse");
        }

        if (problems.Count > 0)
        {
            return ApiError.BadRequest(string.Join("; ", problems));
        }

        if (file!.Length > MaxImageBytes)
        {
            return new ApiError(413, ErrorCodes.PayloadTooLarge, "file: larger than the 20 MB limit");
        }

        var bytes = await MultipartInput.ReadAllAsync(file, http.RequestAborted);
        var type = ContentSniffer.ImageType(bytes);
        if (type is null)
        {
            return new ApiError(415, ErrorCodes.UnsupportedMediaType, "file: not a png, jpeg, gif or webp image");
        }

        if (ImageHeader.Read(bytes, "file", out var unreadable) is null)
        {
            return ApiError.BadRequest(unreadable!);
        }

        var image = new VisionImage(null, bytes, ContentSniffer.MediaType(type));
        return await pipeline.RunAsync(http, bus, Call(prompt!, model, image), maxTokens ?? DefaultMaxTokens, false, "vision");
    }

    private static ChatCompletionRequest Call(string prompt, string? model, VisionImage image) =>
        new(model ?? "gpt-4o", [new ChatMessage("user", prompt)], null, DefaultMaxTokens, image);
}
