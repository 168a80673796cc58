using System.Diagnostics;
using Microsoft.ML.Tokenizers;
using Verging.AiProxy.Providers;

namespace Verging.UnitTests.AiProxy;

/// <summary>
/// Token counts are exact for ordinary text and bounded in time for any text: a long run of one character
/// (one pre-token for the encoding's regex) is counted in slices instead of by quadratic BPE merging.
/// </summary>
public sealed class TokenCounterTests
{
    private static readonly TokenCounter Counter = new();
    private static readonly Tokenizer Reference = TiktokenTokenizer.CreateForEncoding("o200k_base");

    [Theory]
    [InlineData("Explain quantum computing in simple terms.")]
    [InlineData("https://example.com/a/very/long/path?with=query&and=more#fragment")]
    [InlineData("日本語のテキストと emoji 😀😀 mixed in.")]
    [InlineData("def f(x):\n    return x ** 2  # a comment\n")]
    public void Ordinary_text_is_counted_exactly(string text) => Counter.Count(text).ShouldBe(Reference.CountTokens(text));

    [Fact]
    public void Long_text_of_ordinary_words_is_counted_exactly()
    {
        var text = string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog. ", 2_000));
        Counter.Count(text).ShouldBe(Reference.CountTokens(text));
    }

    [Fact]
    public void Random_base64_is_split_by_the_regex_itself_and_stays_exact()
    {
        var text = Convert.ToBase64String(Enumerable.Range(0, 30_000).Select(i => (byte)(i * 7919 % 251)).ToArray());
        Counter.Count(text).ShouldBe(Reference.CountTokens(text));
    }

    [Theory]
    [InlineData("a", 1_000)]
    [InlineData("!", 700)]
    [InlineData("😀", 300)]
    public void A_long_run_is_counted_in_slices_and_never_below_the_exact_count(string unit, int repeats)
    {
        var text = "Before " + string.Concat(Enumerable.Repeat(unit, repeats)) + " after.";
        var exact = Reference.CountTokens(text);
        Counter.Count(text).ShouldBeInRange(exact, exact + (text.Length / TokenCounter.MaxPiece) + 2);
    }

    [Fact]
    public void Counting_a_million_repeated_letters_is_linear_not_quadratic()
    {
        // Was ~17 minutes of one core (quadratic BPE on one pre-token); sliced it is well under a second.
        // The bound is generous on purpose: this guards the complexity, it is not a benchmark.
        var clock = Stopwatch.StartNew();
        Counter.Count(new string('a', 1_000_000)).ShouldBeGreaterThan(1_000_000 / TokenCounter.MaxPiece);
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(20));
    }
}
