using Verging.SharedKernel.Validation;

namespace Verging.UnitTests.SharedKernel;

public sealed class StoredTextTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ci server")]
    [InlineData("日本語 😀 naïve")]
    public void Ordinary_text_is_fine(string? text) => StoredText.Problem(text).ShouldBeNull();

    [Theory]
    [InlineData("a\0b")]
    [InlineData("a\u0001b")]
    [InlineData("line\nbreak")]
    [InlineData("tab\there")]
    public void A_label_refuses_nul_and_control_characters(string text) => StoredText.Problem(text).ShouldBe("must not contain control characters");

    [Fact]
    public void Multiline_text_keeps_line_breaks_and_tabs_but_not_nul()
    {
        StoredText.Problem("first line\r\n\tsecond", multiline: true).ShouldBeNull();
        StoredText.Problem("a\0b", multiline: true).ShouldNotBeNull().ShouldContain("NUL");
    }

    [Fact]
    public void A_lone_surrogate_is_not_unicode_text()
    {
        // Built in code: an attribute argument cannot carry a lone surrogate (it is stored as UTF-8).
        foreach (var text in new[] { "lone " + '\ud800' + " high", "lone " + '\udc00' + " low", "reversed " + '\udc00' + '\ud800', "ends high " + '\ud83d' })
        {
            StoredText.Problem(text, multiline: true).ShouldNotBeNull(text).ShouldContain("surrogate");
        }

        StoredText.Problem("pair " + '\ud83d' + '\ude00').ShouldBeNull();
    }
}
