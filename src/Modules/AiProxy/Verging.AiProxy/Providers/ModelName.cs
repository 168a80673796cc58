using System.Text.RegularExpressions;
using FluentValidation;

namespace Verging.AiProxy.Providers;

/// <summary>
/// What a <c>model</c> field may hold, the same on every AI endpoint: a provider's model id (gpt-4o,
/// tts-1-hd, meta-llama/Llama-3.1-8B, llama3:8b). An empty string is refused where JSON sends it (the field
/// was given, with nothing in it) rather than forwarded for the provider to reject as a 502; an empty
/// multipart field counts as not sent, as forms do.
/// </summary>
public static partial class ModelName
{
    public const int MaxLength = 100;

    public const string Problem = "must be a model id: letters, digits and . _ : / - (at most 100 characters)";

    public static bool IsValid(string? model) => model is { Length: > 0 and <= MaxLength } && Allowed().IsMatch(model);

    public static IRuleBuilderOptions<T, string?> ValidModelName<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(m => m is null || IsValid(m)).WithMessage(Problem);

    /// <summary>Adds the problem for a multipart <c>model</c> field (already defaulted when empty) to <paramref name="problems"/>.</summary>
    public static void Check(string? model, List<string> problems)
    {
        if (model is not null && !IsValid(model))
        {
            problems.Add($"model: {Problem}");
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9._:/-]+\z")]
    private static partial Regex Allowed();
}
