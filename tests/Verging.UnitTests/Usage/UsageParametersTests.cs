using Verging.Usage.Queries;

namespace Verging.UnitTests.Usage;

public sealed class UsageParametersTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 3, 0, 0, TimeSpan.Zero);

    private static (UsageListRequest? Request, List<string> Problems) List(
        string? service = null, string? page = null, string? size = null, string? from = null, string? to = null,
        string? key = null, string? format = null, string? accept = null)
    {
        var problems = new List<string>();
        return (UsageParameters.ParseList(service, page, size, from, to, key, format, accept, problems), problems);
    }

    [Fact]
    public void Defaults_are_page_1_of_20_all_services_as_json()
    {
        var (request, problems) = List();
        problems.ShouldBeEmpty();
        request.ShouldBe(new UsageListRequest(null, 1, 20, null, null, null, false));
    }

    [Theory]
    [InlineData("imagegen")]
    [InlineData("chat")]
    [InlineData("tts")]
    [InlineData("stt")]
    [InlineData("vision")]
    public void The_five_ai_services_are_accepted(string service) => List(service).Request!.ServiceType.ShouldBe(service);

    [Theory]
    [InlineData("Chat")]
    [InlineData("")]
    [InlineData("face-swap")]
    public void Any_other_service_type_is_refused(string service) => List(service).Problems.Single().ShouldStartWith("service_type:");

    [Theory]
    [InlineData("0")]
    [InlineData("101")]
    [InlineData("-5")]
    [InlineData("1.5")]
    [InlineData(" 20")]
    public void A_page_size_outside_1_to_100_is_refused_not_clamped(string size) =>
        List(size: size).Problems.Single().ShouldBe("page_size: must be a whole number from 1 to 100");

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var (request, problems) = List("video", "0", "500", "soon", key: "x", format: "xml");
        request.ShouldBeNull();
        problems.Select(p => p.Split(':')[0]).ShouldBe(["service_type", "page", "page_size", "from", "api_key_id", "format"]);
    }

    [Fact]
    public void Times_are_read_as_utc_and_a_range_must_move_forward()
    {
        List(from: "2026-11-01T10:00:00+02:00").Request!.From.ShouldBe(new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero));
        List(from: "2026-11-01").Request!.From.ShouldBe(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
        List(from: "2026-11-02", to: "2026-11-02").Problems.Single().ShouldBe("from: must be before to");
    }

    [Theory]
    [InlineData(null, null, false)]
    [InlineData("csv", null, true)]
    [InlineData("json", "text/csv", false)]
    [InlineData(null, "text/csv", true)]
    [InlineData(null, "text/csv; charset=utf-8", true)]
    [InlineData(null, "application/json, text/csv", false)]
    [InlineData(null, "text/csv, application/json;q=0.5", true)]
    [InlineData(null, "*/*", false)]
    [InlineData(null, "text/csv;q=0.1, application/json", false)]
    [InlineData(null, "application/json;q=0.4, text/csv;q=0.9", true)]
    [InlineData(null, "text/csv;q=0", false)]
    [InlineData(null, "TEXT/CSV", true)]
    [InlineData(null, "text/csv;q=0.5, application/json;q=0.5", true)]
    public void Csv_is_chosen_by_format_or_by_the_accept_header(string? format, string? accept, bool csv) =>
        List(format: format, accept: accept).Request!.Csv.ShouldBe(csv);

    [Fact]
    public void A_summary_covers_the_last_30_days_by_day_unless_told_otherwise()
    {
        var problems = new List<string>();
        UsageParameters.ParseSummary(null, null, null, null, Now, problems)
            .ShouldBe(new UsageSummaryRequest(Now.AddDays(-30), Now, "day", null));
        UsageParameters.ParseSummary(null, "2026-11-01T00:00:00Z", "service", null, Now, problems)!.From
            .ShouldBe(new DateTimeOffset(2026, 10, 2, 0, 0, 0, TimeSpan.Zero));
        problems.ShouldBeEmpty();
    }

    [Fact]
    public void A_summary_from_after_now_without_to_is_refused()
    {
        var problems = new List<string>();
        UsageParameters.ParseSummary("2027-01-01T00:00:00Z", null, "api_key", null, Now, problems).ShouldBeNull();
        problems.Single().ShouldBe("from: must be before to");
    }
}
