using Verging.AiProxy.Providers;

namespace Verging.UnitTests.AiProxy;

/// <summary>One rule for the model field of every AI endpoint: the ids real providers use pass, nothing else.</summary>
public sealed class ModelNameTests
{
    [Theory]
    [InlineData("gpt-4o")]
    [InlineData("tts-1-hd")]
    [InlineData("meta-llama/Llama-3.1-8B-Instruct")]
    [InlineData("llama3:8b")]
    [InlineData("gpt-4o-mini-2024.07_18")]
    public void Provider_model_ids_are_valid(string model) => ModelName.IsValid(model).ShouldBeTrue();

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("gpt 4o")]
    [InlineData("gpt-4o\n")]
    [InlineData("gpt-4o;drop")]
    [InlineData("modèle")]
    public void Empty_spaced_or_foreign_characters_are_not(string model) => ModelName.IsValid(model).ShouldBeFalse();

    [Fact]
    public void The_length_limit_is_100()
    {
        ModelName.IsValid(new string('m', 100)).ShouldBeTrue();
        ModelName.IsValid(new string('m', 101)).ShouldBeFalse();
    }

    [Fact]
    public void A_multipart_check_names_the_field_and_passes_a_missing_one()
    {
        var problems = new List<string>();
        ModelName.Check(null, problems);
        ModelName.Check("whisper-1", problems);
        problems.ShouldBeEmpty();

        ModelName.Check("whisper 1", problems);
        problems.ShouldHaveSingleItem().ShouldStartWith("model: must be a model id");
    }
}
