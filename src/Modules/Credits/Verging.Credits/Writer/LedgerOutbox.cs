using Npgsql;
using Wolverine;
using Wolverine.Persistence.Durability;
using Wolverine.RDBMS;
using Wolverine.Runtime;
using Wolverine.Runtime.Serialization;

namespace Verging.Credits.Writer;

/// <summary>
/// Wolverine's transactional outbox for a ledger batch that the writer commits itself (ADR 0017):
/// what the batch sends (hold expiry checks, <c>SettleCredits.Then</c>) goes through <see cref="Bus"/>,
/// whose envelopes are written into Wolverine's own inbox/outbox tables by the batch's statements,
/// in its transaction, exactly the rows Wolverine's Marten outbox would write; after the commit,
/// <see cref="FlushAsync"/> hands them to Wolverine to deliver, as the Marten outbox does after
/// SaveChanges. A batch that rolls back leaves no envelope behind and sends nothing.
/// </summary>
internal sealed class LedgerOutbox : IEnvelopeTransaction
{
    private readonly MessageContext _context;
    private readonly MessageDatabase<NpgsqlConnection> _store;
    private readonly List<Envelope> _incoming = [];
    private readonly List<Envelope> _outgoing = [];

    public LedgerOutbox(IWolverineRuntime runtime)
    {
        _store = runtime.Storage as MessageDatabase<NpgsqlConnection>
            ?? throw new InvalidOperationException("The ledger writer needs Wolverine's PostgreSQL message store");
        _context = new MessageContext(runtime);
        _context.EnlistInOutbox(this);
    }

    /// <summary>Sends and schedules through this outbox.</summary>
    public IMessageBus Bus => _context;

    public bool IsEmpty => _incoming.Count == 0 && _outgoing.Count == 0;

    /// <summary>Adds the envelope rows to <paramref name="batch"/>.</summary>
    public void AddTo(NpgsqlBatch batch)
    {
        foreach (var envelope in _incoming)
        {
            batch.BatchCommands.Add(PositionalSql.Command(
                $"insert into {_store.IncomingFullName} ({DatabaseConstants.IncomingFields}) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    EnvelopeSerializer.Serialize(envelope), envelope.Id, envelope.Status.ToString(), envelope.OwnerId,
                    envelope.ScheduledTime.HasValue ? envelope.ScheduledTime.Value : DBNull.Value, envelope.Attempts, envelope.MessageType!,
                    (object?)envelope.Destination?.ToString() ?? DBNull.Value, envelope.KeepUntil.HasValue ? envelope.KeepUntil.Value : DBNull.Value,
                ]));
        }

        foreach (var envelope in _outgoing)
        {
            batch.BatchCommands.Add(PositionalSql.Command(
                $"insert into {_store.OutgoingFullName} ({DatabaseConstants.OutgoingFields}) values (?, ?, ?, ?, ?, ?, ?)",
                [
                    EnvelopeSerializer.Serialize(envelope), envelope.Id, _store.Durability.AssignedNodeNumber, envelope.Destination!.ToString(),
                    envelope.DeliverBy.HasValue ? envelope.DeliverBy.Value : DBNull.Value, envelope.Attempts, envelope.MessageType!,
                ]));
        }
    }

    /// <summary>After the commit: Wolverine delivers what the batch sent.</summary>
    public Task FlushAsync() => _context.FlushOutgoingMessagesAsync();

    public Task PersistOutgoingAsync(Envelope envelope)
    {
        _outgoing.Add(envelope);
        return Task.CompletedTask;
    }

    public Task PersistOutgoingAsync(Envelope[] envelopes)
    {
        _outgoing.AddRange(envelopes);
        return Task.CompletedTask;
    }

    public Task PersistIncomingAsync(Envelope envelope)
    {
        _incoming.Add(envelope);
        return Task.CompletedTask;
    }

    public ValueTask RollbackAsync() => ValueTask.CompletedTask;

    // Only asked while handling an incoming envelope; the writer's batches are not handlers.
    public Task<bool> TryMakeEagerIdempotencyCheckAsync(Envelope envelope, DurabilitySettings settings, CancellationToken cancellation) =>
        Task.FromResult(false);
}
