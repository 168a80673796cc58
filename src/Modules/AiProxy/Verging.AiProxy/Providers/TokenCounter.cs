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

    /// <summary>
    /// A pre-token (a "word" of the encoding's regex) longer than this is counted in slices of this size. BPE
    /// merges one pre-token in time quadratic in its length: a chat message of one letter repeated a million
    /// times took 17 minutes of a core to count. Real words are far shorter, so their counts stay exact.
    /// </summary>
    public const int MaxPiece = 128;

    public int Count(string text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return 0;
        }

        if (text.Length <= MaxPiece || !HasLongPiece(text))
        {
            return _tokenizer.CountTokens(text);
        }

        // Stretches of ordinary pre-tokens are counted whole (exact); each long one in slices. Slicing can only
        // lose merges across a cut, so the count errs upward, the safe side for a hold.
        var count = 0;
        var stretchStart = 0;
        foreach (var (offset, length) in _tokenizer.PreTokenizer!.PreTokenize(text))
        {
            if (length <= MaxPiece)
            {
                continue;
            }

            count += CountExact(text, stretchStart, offset);
            for (var start = offset; start < offset + length;)
            {
                var end = Math.Min(start + MaxPiece, offset + length);
                if (end < offset + length && char.IsHighSurrogate(text[end - 1]))
                {
                    end--; // never cut a surrogate pair in two
                }

                count += CountExact(text, start, end);
                start = end;
            }

            stretchStart = offset + length;
        }

        return count + CountExact(text, stretchStart, text.Length);
    }

    private bool HasLongPiece(string text) =>
        _tokenizer.PreTokenizer is { } pre && pre.PreTokenize(text).Any(piece => piece.Length > MaxPiece);

    private int CountExact(string text, int start, int end) =>
        end > start ? _tokenizer.CountTokens(text.AsSpan(start, end - start)) : 0;

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
