using System.ComponentModel;
using FluentValidation;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Verging.AiProxy.Providers;
using Wolverine;
using Wolverine.Http;

namespace Verging.AiProxy.Chat;

public sealed record ChatMessageDto(string? Role, string? Content);

/// <summary>Body of <c>POST /api/v1/ai/chat</c> (API reference).</summary>
public sealed record ChatRequest(
    IReadOnlyList<ChatMessageDto>? Messages, [property: DefaultValue("gpt-4o")] string? Model, double? Temperature, long? MaxTokens,
    [property: DefaultValue(false)] bool? Stream);

public sealed class ChatRequestValidator : AbstractValidator<ChatRequest>
{
    public static readonly string[] Roles = ["system", "user", "assistant"];

    public ChatRequestValidator()
    {
        RuleFor(r => r.Messages).NotEmpty().Must(m => m is null || m.Count <= 500).WithMessage("at most 500 messages");
        RuleForEach(r => r.Messages).NotNull().WithMessage("must be an object with role and content").ChildRules(m =>
        {
            m.RuleFor(x => x.Role).NotEmpty().Must(r => r is null || Roles.Contains(r)).WithMessage("must be system, user or assistant");
            // "" is a valid content (OpenAI accepts it), so a missing one is "required", not "empty".
            m.RuleFor(x => x.Content).NotNull().WithMessage("is required (a string, which may be empty)").MaximumLength(1_000_000);
        }).OverridePropertyName("messages");
        RuleFor(r => r.Model).ValidModelName();
        RuleFor(r => r.Temperature).InclusiveBetween(0, 2).When(r => r.Temperature is not null);
        RuleFor(r => r.MaxTokens).InclusiveBetween(1, 128_000).When(r => r.MaxTokens is not null);
    }
}

public static class ChatEndpoint
{
    public const string DefaultModel = "gpt-4o";

    /// <summary>Chat completion, plain JSON or SSE (<c>stream: true</c>). Needs at least 5 available credits.</summary>
    [WolverinePost("/api/v1/ai/chat", Name = "Chat")]
    [ProducesResponseType<ChatResponse>(StatusCodes.Status200OK)]
    public static Task<IResult> Post(ChatRequest request, HttpContext http, IMessageBus bus, ChatPipeline pipeline)
    {
        var messages = request.Messages!.Select(m => new ChatMessage(m.Role!, m.Content!)).ToList();
        var call = new ChatCompletionRequest(request.Model ?? DefaultModel, messages, request.Temperature, request.MaxTokens ?? ChatPipeline.DefaultMaxTokens);
        return pipeline.RunAsync(http, bus, call, request.MaxTokens, request.Stream == true, "chat");
    }
}
