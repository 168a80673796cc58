using Verging.AiProxy.Contracts;
using Verging.Jobs.Contracts;
using Verging.Usage.Recording;

namespace Verging.UnitTests.Usage;

public sealed class UsageProjectionTests
{
    private static readonly Guid Account = Guid.NewGuid();
    private static readonly Guid Key = Guid.NewGuid();
    private static readonly DateTimeOffset At = new(2026, 11, 30, 10, 0, 0, TimeSpan.FromHours(2));

    [Fact]
    public void A_completed_request_is_a_success_with_its_credits_and_tokens_at_its_utc_completion_time()
    {
        var e = new AiRequestCompleted(Guid.NewGuid(), Account, Key, "vision", "gpt-4o", 1100, 95, 0, 2, 840, At);
        UsageProjection.Project(7, UsageProjection.Received(e)).ShouldBe(new UsageRecord(
            7, e.RequestId, 0, "ai", Account, Key, "vision", "gpt-4o", "success", null, 2, 1100, 95, 0, 840, At.ToUniversalTime()));
    }

    [Fact]
    public void A_stream_cut_short_after_billing_part_of_it_keeps_its_credits_and_says_why()
    {
        var e = new AiRequestCompleted(Guid.NewGuid(), Account, Key, "chat", "gpt-4o", 10, 4, 0, 1, 300, At, "upstream_error");
        var record = UsageProjection.Project(7, UsageProjection.Received(e));
        (record.Status, record.CreditsConsumed, record.OutputTokens).ShouldBe(("upstream_error", 1L, 4L));
    }

    [Fact]
    public void A_completed_event_logged_before_it_had_a_status_reads_back_as_a_success()
    {
        var payload = $$"""{"requestId":"{{Guid.NewGuid()}}","accountId":"{{Account}}","apiKeyId":"{{Key}}","serviceType":"chat","model":"gpt-4o","inputTokens":1,"outputTokens":2,"units":0,"creditsConsumed":1,"latencyMs":5,"completedAt":"2026-11-30T08:00:00+00:00"}""";
        var received = UsageProjection.Deserialize(UsageProjection.AiRequestCompletedType, payload);
        var record = UsageProjection.Project(1, received);
        (record.Status, record.CreditsConsumed, record.OutputTokens).ShouldBe(("success", 1L, 2L));
        UsageProjection.Serialize(received).ShouldContain("\"status\":\"success\"");
    }

    [Fact]
    public void A_failed_request_keeps_its_status_and_error_and_costs_nothing()
    {
        var e = new AiRequestFailed(Guid.NewGuid(), Account, Key, "chat", "gpt-4o", "upstream_timeout", 50300, 30_000, At);
        var record = UsageProjection.Project(8, UsageProjection.Received(e));
        (record.Status, record.ErrorCode, record.CreditsConsumed, record.InputTokens, record.OutputTokens).ShouldBe(("upstream_timeout", (int?)50300, 0L, 0L, 0L));
    }

    [Fact]
    public void A_job_attempt_is_keyed_by_job_and_attempt_and_a_completed_one_counts_as_success()
    {
        var e = new JobAttemptEnded(Guid.NewGuid(), Account, Key, JobTypes.VideoEnhance, "completed", 2, 15, 4.2, 61_000, null, At);
        var received = UsageProjection.Received(e);
        (received.SourceId, received.Attempt).ShouldBe((e.JobId, 2));
        var record = UsageProjection.Project(9, received);
        (record.Kind, record.ServiceType, record.Status, record.CreditsConsumed, record.Units).ShouldBe(("job", "video-enhance", "success", 15L, 4.2));
        UsageProjection.Project(9, UsageProjection.Received(e with { Status = "cancelled", CreditsConsumed = 0 })).Status.ShouldBe("cancelled");
    }

    [Fact]
    public void What_the_log_stores_projects_to_the_same_record_as_what_was_received()
    {
        object[] contracts =
        [
            new AiRequestCompleted(Guid.NewGuid(), Account, Key, "tts", "tts-1-hd", 0, 0, 1234, 3, 900, At),
            new AiRequestFailed(Guid.NewGuid(), Account, Key, "stt", "whisper-1", "empty_result", 50200, 12, At),
            new JobAttemptEnded(Guid.NewGuid(), Account, Key, JobTypes.FaceSwap, "failed", 1, 0, null, 5, "too long", At),
        ];
        foreach (var contract in contracts)
        {
            var received = contract switch
            {
                AiRequestCompleted c => UsageProjection.Received(c),
                AiRequestFailed f => UsageProjection.Received(f),
                JobAttemptEnded j => UsageProjection.Received(j),
                _ => throw new InvalidOperationException(),
            };
            var replayed = UsageProjection.Deserialize(received.EventType, UsageProjection.Serialize(received));
            replayed.Contract.ShouldBe(contract);
            UsageProjection.Project(1, replayed).ShouldBe(UsageProjection.Project(1, received));
        }
    }

    [Fact]
    public void An_unknown_event_type_in_the_log_is_an_error_not_a_silent_gap() =>
        Should.Throw<InvalidOperationException>(() => UsageProjection.Deserialize("credits_granted", "{}"));
}
