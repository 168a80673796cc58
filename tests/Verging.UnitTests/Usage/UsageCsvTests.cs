using System.Text;
using Verging.Usage.Queries;

namespace Verging.UnitTests.Usage;

public sealed class UsageCsvTests
{
    [Theory]
    [InlineData("gpt-4o", "gpt-4o")]
    [InlineData("", "")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("cr\rlf", "\"cr\rlf\"")]
    [InlineData("=1+1", "'=1+1")]
    [InlineData("+cmd", "'+cmd")]
    [InlineData("-2", "'-2")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"")]
    [InlineData("mid=dle", "mid=dle")]
    public void Text_fields_are_escaped_per_rfc_4180_and_never_start_a_formula(string value, string expected) =>
        UsageCsv.Escape(value).ShouldBe(expected);

    [Fact]
    public void A_line_has_the_json_fields_in_order_and_form_then_the_model_and_key_and_ends_with_crlf()
    {
        var key = Guid.Parse("0193a1b2-0000-7000-8000-000000000001");
        var line = new StringBuilder();
        UsageCsv.AppendLine(line, new UsageRecordView(42, "chat", 3, 24, 85, 1200, "success", new DateTimeOffset(2026, 3, 20, 10, 30, 0, TimeSpan.Zero)), "gpt-4o", key);
        line.ToString().ShouldBe($"42,chat,3,24,85,1200,success,2026-03-20T10:30:00+00:00,gpt-4o,{key}\r\n");
        UsageCsv.Header.Split(',').Length.ShouldBe(line.ToString().TrimEnd().Split(',').Length);
    }
}
