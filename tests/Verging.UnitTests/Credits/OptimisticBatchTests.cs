using System.Collections.Immutable;
using Verging.Credits.Contracts;
using Verging.Credits.Ledger;
using Verging.Credits.Writer;

namespace Verging.UnitTests.Credits;

/// <summary>Which writer batches may be decided on cached states alone (ADR 0017).</summary>
public sealed class OptimisticBatchTests
{
    private static readonly Guid Account = Guid.CreateVersion7();
    private static readonly Guid OpenHold = Guid.CreateVersion7();

    private static readonly Ledger Warm = new Ledger(Account, 100, 5)
    {
        Holds = ImmutableDictionary<Guid, Hold>.Empty.Add(OpenHold, new Hold(5, "chat", DateTimeOffset.UnixEpoch)),
        StreamVersion = 7,
    };

    private static (Dictionary<Guid, Ledger?> States, List<string> MustNotHaveEnded)? Prepare(Func<Guid, Ledger?> cache, params object[] commands)
    {
        var batch = commands.Select(c => new PendingCommand(Account, c)).ToList();
        return OptimisticBatch.TryPrepare(batch, [Account], cache);
    }

    [Fact]
    public void A_new_freeze_and_a_settle_of_an_open_hold_go_optimistically_and_the_new_reservation_must_not_have_ended()
    {
        var fresh = Guid.CreateVersion7();

        var prepared = Prepare(_ => Warm, new FreezeCredits(Account, fresh, 3, "chat"), new SettleCredits(Account, OpenHold, 2)).ShouldNotBeNull();

        prepared.States[Account].ShouldBeSameAs(Warm);
        prepared.MustNotHaveEnded.ShouldBe([ReservationRecord.KeyFor(Account, fresh)]);
    }

    [Fact]
    public void A_repeated_freeze_of_an_open_hold_needs_no_assertion()
    {
        Prepare(_ => Warm, new FreezeCredits(Account, OpenHold, 5, "chat")).ShouldNotBeNull().MustNotHaveEnded.ShouldBeEmpty();
    }

    [Fact]
    public void An_account_that_is_not_cached_is_decided_under_locks() =>
        Prepare(_ => null, new FreezeCredits(Account, Guid.CreateVersion7(), 3, "chat")).ShouldBeNull();

    [Fact]
    public void A_settle_or_release_of_a_hold_the_cache_does_not_show_needs_its_record() =>
        (Prepare(_ => Warm, new SettleCredits(Account, Guid.CreateVersion7(), 1)) ?? Prepare(_ => Warm, new ReleaseCredits(Account, Guid.CreateVersion7(), "x")))
            .ShouldBeNull();

    [Fact]
    public void One_shot_operations_and_expiries_are_decided_under_locks()
    {
        Prepare(_ => Warm, new GrantCredits(Account, 10, "test", "grant-1")).ShouldBeNull();
        Prepare(_ => Warm, new FreezeCredits(Account, Guid.CreateVersion7(), 3, "chat"), new ExpireHold(Account, OpenHold)).ShouldBeNull();
    }
}
