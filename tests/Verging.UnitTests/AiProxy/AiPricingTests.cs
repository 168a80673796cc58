using Verging.AiProxy.Pricing;

namespace Verging.UnitTests.AiProxy;

/// <summary>Every pricing example of the API reference, and the edges of each rule.</summary>
public sealed class AiPricingTests
{
    [Fact]
    public void The_reference_chat_example_costs_1_credit() => AiPricing.Chat(24, 85).ShouldBe(1);

    [Fact]
    public void The_reference_vision_example_costs_2_credits() => AiPricing.Vision(1100, 95).ShouldBe(2);

    [Fact]
    public void The_reference_tts_example_costs_1_credit() => AiPricing.Speech("Hello! Welcome to Verging AI.".Length).ShouldBe(1);

    [Fact]
    public void The_reference_stt_example_of_12_5_seconds_costs_1_credit() => AiPricing.Transcription(12.5).ShouldBe(1);

    [Theory]
    [InlineData("standard", 3)]
    [InlineData("auto", 3)]
    [InlineData(null, 3)]
    [InlineData("hd", 5)]
    [InlineData("HD", 5)]
    public void Images_cost_3_standard_or_5_hd_each(string? quality, long credits) => AiPricing.ImagePerImage(quality).ShouldBe(credits);

    [Theory]
    [InlineData(0, 0, 1)]
    [InlineData(10_000, 0, 1)]
    [InlineData(10_001, 0, 2)]
    [InlineData(0, 5_000, 1)]
    [InlineData(0, 5_001, 2)]
    [InlineData(20_000, 10_000, 4)]
    public void Chat_is_1_per_10K_input_and_2_per_10K_output_with_a_minimum_of_1(long input, long output, long credits) =>
        AiPricing.Chat(input, output).ShouldBe(credits);

    [Theory]
    [InlineData(0, 0, 1)]
    [InlineData(1, 0, 2)]
    [InlineData(10_000, 0, 2)]
    [InlineData(10_000, 1, 3)]
    public void Vision_is_1_base_plus_the_chat_rate(long input, long output, long credits) => AiPricing.Vision(input, output).ShouldBe(credits);

    [Theory]
    [InlineData(1, 1)]
    [InlineData(500, 1)]
    [InlineData(501, 2)]
    [InlineData(4096, 9)]
    public void Speech_is_2_per_1K_characters_with_a_minimum_of_1(long characters, long credits) => AiPricing.Speech(characters).ShouldBe(credits);

    [Theory]
    [InlineData(0.2, 1)]
    [InlineData(60, 1)]
    [InlineData(60.0004, 1)]
    [InlineData(60.5, 2)]
    [InlineData(600, 10)]
    public void Transcription_is_1_per_started_minute_with_a_minimum_of_1(double seconds, long credits) =>
        AiPricing.Transcription(seconds).ShouldBe(credits);

    [Theory]
    [InlineData(5, 13, false, 24_993)]
    [InlineData(5, 13, true, 19_993)]
    [InlineData(1, 20_000, false, 0)]
    public void Affordable_output_is_what_the_hold_pays_for_after_the_input(long hold, long input, bool vision, long tokens) =>
        AiPricing.AffordableOutputTokens(hold, input, vision).ShouldBe(tokens);

    [Fact]
    public void The_worst_case_of_the_clamped_output_always_fits_the_hold()
    {
        for (long hold = 1; hold < 50; hold++)
        {
            foreach (var input in new long[] { 0, 7, 9_999, 10_000, 123_456 })
            {
                var output = AiPricing.AffordableOutputTokens(hold, input, vision: false);
                if (output > 0)
                {
                    AiPricing.WorstCase(input, output, vision: false).ShouldBeLessThanOrEqualTo(hold);
                }
            }
        }
    }
}
