using Microsoft.ML.Tokenizers;

namespace Verging.AiProxy.Providers;

/// <summary>
/// Real token counting with the o200k_base encoding (GPT-4o family), used to price the worst case
/// before a call and by the sandbox to report honest usage.
/// </summary>
public sealed class TokenCounter
{
    // OpenAI's accounting: each message costs its tokens plus a few for role and separators,
    // and every reply is primed with 3 more.
    private const int TokensPerMessage = 3;
    private const int ReplyPriming = 3;

    private readonly Tokenizer _tokenizer = TiktokenTokenizer.CreateForEncoding("o200k_base");

    public int Count(string text) => string.IsNullOrEmpty(text) ? 0 : _tokenizer.CountTokens(text);

    public long CountPrompt(IEnumerable<ChatMessage> messages) =>
        messages.Sum(m => (long)TokensPerMessage + Count(m.Role) + Count(m.Content)) + ReplyPriming;

    /// <summary>Splits text into its tokens' text, for streaming the sandbox's reply token by token.</summary>
    public IReadOnlyList<string> Split(string text, int maxTokens)
    {
        var ids = _tokenizer.EncodeToIds(text);
        var pieces = new List<string>(Math.Min(ids.Count, maxTokens));
        foreach (var id in ids.Take(maxTokens))
        {
            pieces.Add(_tokenizer.Decode([id]));
        }

        return pieces;
    }
}
