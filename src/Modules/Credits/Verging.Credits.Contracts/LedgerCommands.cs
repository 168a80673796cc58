using System.Text.Json.Serialization;

namespace Verging.Credits.Contracts;

/// <summary>
/// Sent by AiProxy and Jobs with <c>InvokeAsync&lt;FreezeOutcome&gt;</c> before any paid work: holds
/// <paramref name="Amount"/> credits of the account. <paramref name="ReservationId"/> is also the
/// idempotency id: a redelivered freeze returns the first outcome and moves nothing.
/// </summary>
/// <param name="AccountId">The paying account.</param>
/// <param name="ReservationId">Chosen by the caller; settles and releases name it.</param>
/// <param name="Amount">Credits to hold (at least 1).</param>
/// <param name="Purpose">What the hold pays for (chat, imagegen, face-swap, ...): sets its expiry.</param>
/// <param name="MinimumAvailable">Refuse unless at least this much is available (chat and vision need 5).</param>
public sealed record FreezeCredits(Guid AccountId, Guid ReservationId, long Amount, string Purpose, long MinimumAvailable = 0)
{
    /// <summary>
    /// Optional, in-process only (<c>InvokeAsync</c>; not serialized): called with the outcome when
    /// the ledger has decided to hold and is sending the hold's commit, so the caller can start its
    /// paid work while the commit is on its way (ADR 0018). Never called with a refusal; called again
    /// if the batch has to be decided again. The commit can still fail, or find that another instance
    /// changed the account: only the answer of <c>InvokeAsync</c>, given once the hold is durable,
    /// says whether it exists, and work started early must wait for it before it delivers or charges
    /// anything. Runs on the ledger writer's loop: it must only hand the outcome on (e.g. complete a
    /// <see cref="TaskCompletionSource{TResult}"/> whose continuations run asynchronously).
    /// </summary>
    [JsonIgnore]
    public Action<FreezeOutcome>? OnDecided { get; init; }
}

/// <summary>Ends a hold by consuming <paramref name="Consumed"/> credits of it; the rest is released in the same event.</summary>
/// <param name="AccountId">The paying account.</param>
/// <param name="ReservationId">The hold to settle.</param>
/// <param name="Consumed">Credits actually used; more than the hold is capped at the hold.</param>
/// <param name="Then">
/// Optional: a message the ledger publishes through its outbox in the settle's own transaction,
/// only when this command settles the hold (not a repeat, not a hold already released or expired):
/// e.g. the caller's usage record, which then is durable exactly when the charge is and costs no
/// commit of its own. Carried in-process only (<c>InvokeAsync</c>); it is not serialized, so a
/// caller must publish its message itself when the outcome is not a fresh settle.
/// </param>
public sealed record SettleCredits(Guid AccountId, Guid ReservationId, long Consumed, [property: JsonIgnore] object? Then = null);

/// <summary>Ends a hold by giving all of it back (upstream failure, job failure or cancel).</summary>
/// <param name="AccountId">The paying account.</param>
/// <param name="ReservationId">The hold to release.</param>
/// <param name="Reason">Why, for the ledger.</param>
public sealed record ReleaseCredits(Guid AccountId, Guid ReservationId, string Reason);

/// <summary>Adds credits (admin grants, the opening balance). <paramref name="GrantId"/> makes it idempotent.</summary>
/// <param name="AccountId">The receiving account.</param>
/// <param name="Amount">Credits to add (at least 1).</param>
/// <param name="Reason">Why, for the ledger.</param>
/// <param name="GrantId">Unique per grant; a repeated id returns the first outcome.</param>
public sealed record GrantCredits(Guid AccountId, long Amount, string Reason, string GrantId);

/// <summary>How a freeze ended.</summary>
public enum FreezeStatus
{
    /// <summary>The credits are held.</summary>
    Frozen,

    /// <summary>Not enough available credits: nothing is held.</summary>
    Insufficient,

    /// <summary>This reservation id was already used and has ended: nothing new is held.</summary>
    AlreadyEnded,
}

/// <summary>Answer to <see cref="FreezeCredits"/>.</summary>
/// <param name="Status">Whether the credits are held.</param>
/// <param name="Amount">Credits held (0 unless frozen).</param>
/// <param name="Required">Credits the freeze needed available.</param>
/// <param name="Available">Credits available after the decision.</param>
/// <param name="ExpiresAt">When an unsettled hold comes back by itself.</param>
public sealed record FreezeOutcome(FreezeStatus Status, long Amount, long Required, long Available, DateTimeOffset? ExpiresAt);

/// <summary>How a reservation ended.</summary>
public enum ReservationEnd
{
    /// <summary>Consumed (possibly in part, the rest released).</summary>
    Settled,

    /// <summary>Given back in full.</summary>
    Released,

    /// <summary>Given back in full because nobody settled it in time.</summary>
    Expired,

    /// <summary>No such reservation on this account.</summary>
    Unknown,
}

/// <summary>Answer to <see cref="SettleCredits"/> and <see cref="ReleaseCredits"/>: always the first, and only, ending.</summary>
/// <param name="End">How the reservation ended.</param>
/// <param name="Consumed">Credits consumed.</param>
/// <param name="Released">Credits given back.</param>
/// <param name="Repeated">True when the reservation had already ended: this call moved nothing.</param>
public sealed record ReservationOutcome(ReservationEnd End, long Consumed, long Released, bool Repeated);

/// <summary>Answer to <see cref="GrantCredits"/>.</summary>
/// <param name="Balance">The account's balance after the grant (on a repeat: the balance now).</param>
/// <param name="Repeated">True when this grant id was already applied: nothing was added now.</param>
public sealed record GrantOutcome(long Balance, bool Repeated);
