using Verging.AiProxy.Pricing;
using Verging.AiProxy.Speech;

namespace Verging.UnitTests.AiProxy;

/// <summary>
/// TTS counts characters as code points for its 4,096 limit and its price: an emoji is one
/// character, not the two UTF-16 units .NET strings store it in.
/// </summary>
public sealed class TtsCharactersTests
{
    private const string Emoji = "😀";

    [Theory]
    [InlineData("Hello", 5)]
    [InlineData("héllo", 5)]
    [InlineData("😀😀", 2)]
    [InlineData("日本語", 3)]
    [InlineData("𠀀a", 2)]
    public void Characters_are_code_points(string input, int characters) => TtsRequestValidator.Characters(input).ShouldBe(characters);

    [Fact]
    public void Six_hundred_emoji_cost_what_six_hundred_letters_cost() =>
        AiPricing.Speech(TtsRequestValidator.Characters(string.Concat(Enumerable.Repeat(Emoji, 600)))).ShouldBe(AiPricing.Speech(600));

    [Fact]
    public void Four_thousand_and_ninety_six_emoji_are_within_the_limit() =>
        new TtsRequestValidator().Validate(new TtsRequest(string.Concat(Enumerable.Repeat(Emoji, 4096)), null, null, null, null)).IsValid.ShouldBeTrue();

    [Fact]
    public void One_more_is_refused_with_the_count()
    {
        var result = new TtsRequestValidator().Validate(new TtsRequest(string.Concat(Enumerable.Repeat(Emoji, 4097)), null, null, null, null));

        result.IsValid.ShouldBeFalse();
        result.Errors.Single().ErrorMessage.ShouldBe("at most 4096 characters; this input has 4097");
    }
}
