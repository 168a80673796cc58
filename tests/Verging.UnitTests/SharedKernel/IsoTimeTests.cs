using System.Text.Json;
using Verging.SharedKernel.Http;

namespace Verging.UnitTests.SharedKernel;

/// <summary>Query timestamps are ISO 8601 and nothing else; ours are written one way in JSON and CSV.</summary>
public sealed class IsoTimeTests
{
    [Theory]
    [InlineData("2026-12-01", "2026-12-01T00:00:00+00:00")]
    [InlineData("2026-12-01T10:30", "2026-12-01T10:30:00+00:00")]
    [InlineData("2026-12-01T10:30:00Z", "2026-12-01T10:30:00+00:00")]
    [InlineData("2026-12-01T10:30:00.123456Z", "2026-12-01T10:30:00.123456+00:00")]
    [InlineData("2026-12-01T12:30:00+02:00", "2026-12-01T10:30:00+00:00")]
    [InlineData("2026-12-01T12:30:00+0200", "2026-12-01T10:30:00+00:00")]
    public void Iso_8601_forms_are_read_no_offset_meaning_utc(string text, string utc)
    {
        IsoTime.TryParse(text, out var value).ShouldBeTrue();
        value.ToUniversalTime().ShouldBe(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("Dec 1 2026")]
    [InlineData("1/12/2026")]
    [InlineData("2026-12-01T10:30:00 02:00")] // an unencoded + arrives as a space
    [InlineData("2026-13-01")]
    [InlineData("")]
    [InlineData(null)]
    public void Anything_else_is_refused(string? text) => IsoTime.TryParse(text, out _).ShouldBeFalse();

    [Theory]
    [InlineData("2026-12-01T10:30:00.1234560+00:00")]
    [InlineData("2026-12-01T10:30:00.0000000+00:00")]
    [InlineData("2026-12-01T10:30:00.1000000+02:00")]
    public void Our_timestamps_read_the_same_in_csv_as_in_json(string text)
    {
        var value = DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        IsoTime.Format(value).ShouldBe(JsonSerializer.Serialize(value).Trim('"'));
    }
}
