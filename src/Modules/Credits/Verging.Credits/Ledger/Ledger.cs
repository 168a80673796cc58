using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace Verging.Credits.Ledger;

/// <summary>A credit hold that has not ended yet.</summary>
public sealed record Hold(long Amount, string Purpose, DateTimeOffset ExpiresAt);

/// <summary>
/// One account's credits, folded from its event stream. Immutable: every Apply returns a new value
/// (Marten's identity map must never see a loaded aggregate change). <see cref="Balance"/> is what
/// the account owns, <see cref="Frozen"/> the part of it held for unfinished work.
/// Stored as the balance read model, with the stream version it reflects; the open holds are not
/// part of that document but rows of their own (<see cref="Writer.OpenHoldsTable"/>): an account with a
/// thousand unfinished jobs must not rewrite a thousand holds on every change (ADR 0016).
/// </summary>
public sealed record Ledger(Guid Id, long Balance, long Frozen)
{
    /// <summary>The holds that have not ended, by reservation (their amounts sum to <see cref="Frozen"/>).</summary>
    [JsonIgnore]
    public ImmutableDictionary<Guid, Hold> Holds { get; init; } = ImmutableDictionary<Guid, Hold>.Empty;

    /// <summary>The stream version this state reflects (set by the writer; not part of the fold).</summary>
    public long StreamVersion { get; init; }

    public long Available => Balance - Frozen;

    public static Ledger Empty(Guid accountId) => new(accountId, 0, 0);

    public static Ledger Create(LedgerOpened e) => Empty(e.AccountId);

    public Ledger Apply(CreditsGranted e) => this with { Balance = Balance + e.Amount };

    public Ledger Apply(CreditsPurchased e) => this with { Balance = Balance + e.Amount };

    public Ledger Apply(CreditsFrozen e) =>
        this with { Frozen = Frozen + e.Amount, Holds = Holds.SetItem(e.ReservationId, new Hold(e.Amount, e.Purpose, e.ExpiresAt)) };

    public Ledger Apply(CreditsSettled e) => this with
    {
        Balance = Balance - e.Consumed,
        Frozen = Frozen - (e.Consumed + e.Released),
        Holds = Holds.Remove(e.ReservationId),
    };

    public Ledger Apply(CreditsReleased e) => this with { Frozen = Frozen - e.Amount, Holds = Holds.Remove(e.ReservationId) };

    public Ledger Apply(HoldExpired e) => this with { Frozen = Frozen - e.Amount, Holds = Holds.Remove(e.ReservationId) };

    public Ledger Apply(CreditsRefunded e) => this with { Balance = Balance - e.Amount };

    public Ledger Apply(CreditsAdjusted e) => this with { Balance = Balance + e.Amount };

    /// <summary>The reservation whose hold an event ended (settled, released or expired), else null.</summary>
    public static Guid? EndedReservation(object @event) => @event switch
    {
        CreditsSettled e => e.ReservationId,
        CreditsReleased e => e.ReservationId,
        HoldExpired e => e.ReservationId,
        _ => null,
    };

    /// <summary>The same fold, for code that holds events as objects (the writer, the audit).</summary>
    public static Ledger? Fold(Ledger? state, object @event) => @event switch
    {
        LedgerOpened e => state ?? Create(e),
        CreditsGranted e => state!.Apply(e),
        CreditsPurchased e => state!.Apply(e),
        CreditsFrozen e => state!.Apply(e),
        CreditsSettled e => state!.Apply(e),
        CreditsReleased e => state!.Apply(e),
        HoldExpired e => state!.Apply(e),
        CreditsRefunded e => state!.Apply(e),
        CreditsAdjusted e => state!.Apply(e),
        _ => state,
    };
}
