using Verging.Credits.Writer;

namespace Verging.UnitTests.Credits;

public sealed class ExpiryChecksTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 8, 0, 3, TimeSpan.Zero);
    private static readonly Guid Account = Guid.CreateVersion7();

    [Fact]
    public void A_short_hold_is_checked_exactly_at_its_expiry_every_time()
    {
        var checks = new ExpiryChecks();
        var batch = new HashSet<(Guid, DateTimeOffset)>();
        var expiresAt = Now.AddSeconds(2);

        checks.DueFor(Account, expiresAt, Now, batch).ShouldBe(expiresAt);
        checks.DueFor(Account, expiresAt, Now, batch).ShouldBe(expiresAt);
        batch.ShouldBeEmpty();
    }

    [Fact]
    public void Long_holds_of_one_account_share_one_check_at_the_end_of_their_bucket()
    {
        var checks = new ExpiryChecks();
        var batch = new HashSet<(Guid, DateTimeOffset)>();
        var bucketEnd = new DateTimeOffset(2026, 12, 1, 8, 15, 10, TimeSpan.Zero);

        checks.DueFor(Account, Now.AddMinutes(15), Now, batch).ShouldBe(bucketEnd);
        checks.DueFor(Account, Now.AddMinutes(15).AddSeconds(6), Now, batch).ShouldBeNull();
        checks.DueFor(Guid.CreateVersion7(), Now.AddMinutes(15), Now, batch).ShouldBe(bucketEnd);
        checks.DueFor(Account, Now.AddMinutes(15).AddSeconds(8), Now, batch).ShouldBe(bucketEnd.AddSeconds(10));

        // A later batch relies on what an earlier one committed, not on what it only planned.
        var next = new HashSet<(Guid, DateTimeOffset)>();
        checks.DueFor(Account, Now.AddMinutes(15).AddSeconds(1), Now, next).ShouldBe(bucketEnd);
        checks.Committed(batch, Now);
        checks.DueFor(Account, Now.AddMinutes(15).AddSeconds(1), Now, []).ShouldBeNull();
    }

    [Fact]
    public void A_hold_expiring_on_a_bucket_boundary_is_checked_at_that_boundary()
    {
        var boundary = new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
        new ExpiryChecks().DueFor(Account, boundary, Now, []).ShouldBe(boundary);
    }
}
