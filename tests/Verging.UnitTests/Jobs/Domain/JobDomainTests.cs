using Verging.Jobs.Contracts;
using Verging.Jobs.Domain;
using Verging.Jobs.Lifecycle;
using Verging.SharedKernel;

namespace Verging.UnitTests.Jobs.Domain;

public sealed class JobPricingTests
{
    [Theory]
    [InlineData(JobTypes.FaceSwap, false, 30, 30)]       // reference: 1 credit/sec
    [InlineData(JobTypes.FaceSwap, true, 30, 90)]        // HD 3 credits/sec
    [InlineData(JobTypes.VideoEnhance, false, 15, 45)]   // 3 credits/sec
    [InlineData(JobTypes.VideoEnhance, true, 15, 75)]    // HD 5 credits/sec
    [InlineData(JobTypes.ImageToVideo, false, 4, 12)]
    [InlineData(JobTypes.ImageToVideo, true, 4, 20)]
    [InlineData(JobTypes.BackgroundRemoval, false, 0, 1)] // fixed 1
    [InlineData(JobTypes.VideoEnhance, false, 2.2, 9)]    // seconds round up
    [InlineData(JobTypes.FaceSwap, false, 10.0000001, 10)] // float noise is not a second
    [InlineData(JobTypes.FaceSwap, false, 0.2, 1)]
    public void Prices_follow_the_reference_table(string type, bool hd, double seconds, long credits) =>
        JobPricing.Price(type, hd, seconds).ShouldBe(credits);

    [Fact]
    public void Settlement_uses_the_measured_duration_and_never_exceeds_the_hold()
    {
        var job = new Job { JobType = JobTypes.VideoEnhance, DeclaredDurationSeconds = 10, CreditsFrozen = 30 };
        JobPricing.Settlement(job, 4.5).ShouldBe(15);
        JobPricing.Settlement(job, 10.8).ShouldBe(30); // 11 s would be 33: capped at what was frozen
        JobPricing.Settlement(job, null).ShouldBe(30);
    }

    [Theory]
    [InlineData(10, 11, false)]
    [InlineData(10, 11.01, true)]
    [InlineData(10, 3, false)]
    public void A_video_may_be_at_most_one_second_longer_than_declared(double declared, double measured, bool refused) =>
        (JobPricing.DurationProblem(declared, measured) is not null).ShouldBe(refused);

    [Fact]
    public void The_refusal_names_a_short_declared_duration_as_it_was_sent() =>
        JobPricing.DurationProblem(0.001, 3).ShouldStartWith("The video is 3 s long but user_video_duration was 0.001 s;");
}

public sealed class JobRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private static Job Created() => Job.Create(new JobCreated(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), JobTypes.FaceSwap, false,
        "v.mp4", 3, null, new JobInputs("img", null, "https://example.com/v.mp4"), T0));

    private static Job Fold(params object[] events) => events.Aggregate(Created(), JobFold.Apply);

    [Fact]
    public void The_stream_folds_to_the_state_the_api_shows()
    {
        var reservation = Guid.NewGuid();
        var job = Fold(new JobQueued(1, reservation, 3, "created", T0), new JobStarted(1, "w", T0.AddSeconds(1)),
            new JobProgressed(1, 40, T0.AddSeconds(2)),
            new JobSucceeded(1, [new JobOutput("video", "jobs/x/1.mp4", "video/mp4", 10)], 3, 2.9, T0.AddSeconds(3)));
        job.Status.ShouldBe(JobStatus.Completed);
        job.Progress.ShouldBe(100);
        job.CreditsConsumed.ShouldBe(3);
        job.ReservationId.ShouldBe(reservation);
        job.FinishedAt.ShouldBe(T0.AddSeconds(3));
        Fold(new JobQueued(1, reservation, 3, "created", T0), new JobStarted(1, "w", T0), new JobSucceeded(1, [], 3, null, T0), new JobExpired(T0.AddDays(7)))
            .ShouldSatisfyAllConditions(j => j.Status.ShouldBe(JobStatus.Expired), j => j.Outputs.ShouldBeEmpty());
    }

    [Fact]
    public void Only_failed_jobs_can_be_retried()
    {
        var failed = Fold(new JobQueued(1, Guid.NewGuid(), 3, "created", T0), new JobStarted(1, "w", T0), new JobFailed(1, "no face", T0));
        Should.NotThrow(() => JobRules.EnsureCanRetry(failed));
        var retried = JobFold.Apply(JobFold.Apply(failed, new JobRetried(2, T0)), new JobQueued(2, Guid.NewGuid(), 3, "retried", T0));
        retried.ShouldSatisfyAllConditions(j => j.Status.ShouldBe(JobStatus.Pending), j => j.Attempt.ShouldBe(2), j => j.Error.ShouldBeNull());

        var pending = Fold(new JobQueued(1, Guid.NewGuid(), 3, "created", T0));
        var error = Should.Throw<ApiErrorException>(() => JobRules.EnsureCanRetry(pending)).Error;
        error.Status.ShouldBe(409);
        error.Message.ShouldContain("is pending");
    }

    [Fact]
    public void Only_pending_or_processing_jobs_can_be_cancelled()
    {
        var queued = Fold(new JobQueued(1, Guid.NewGuid(), 3, "created", T0));
        Should.NotThrow(() => JobRules.EnsureCanCancel(queued));
        Should.NotThrow(() => JobRules.EnsureCanCancel(JobFold.Apply(queued, new JobStarted(1, "w", T0))));
        var cancelled = JobFold.Apply(queued, new JobCancelled(1, "by client", T0));
        Should.Throw<ApiErrorException>(() => JobRules.EnsureCanCancel(cancelled)).Error.Message.ShouldContain("is cancelled");
    }

    [Fact]
    public void A_worker_reports_only_on_the_attempt_it_runs()
    {
        var running = Fold(new JobQueued(1, Guid.NewGuid(), 3, "created", T0), new JobStarted(1, "w", T0));
        JobRules.IsRunning(running, 1).ShouldBeTrue();
        JobRules.IsRunning(running, 2).ShouldBeFalse();
        JobRules.CanStart(running).ShouldBeFalse();
        JobRules.IsRunning(JobFold.Apply(running, new JobQueued(1, running.ReservationId, 3, "worker lease expired", T0)), 1).ShouldBeFalse();
    }

    [Fact]
    public void Each_attempt_has_its_own_stable_reservation()
    {
        var job = Guid.NewGuid();
        ReservationIds.For(job, 1).ShouldBe(ReservationIds.For(job, 1));
        ReservationIds.For(job, 1).ShouldNotBe(ReservationIds.For(job, 2));
        ReservationIds.For(job, 1).ShouldNotBe(ReservationIds.For(Guid.NewGuid(), 1));
    }
}
