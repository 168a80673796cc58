using Npgsql;
using Wolverine;
using Wolverine.RDBMS;
using Wolverine.Runtime;

namespace Verging.Usage.Recording;

/// <summary>
/// Completes the inbox envelopes of the contracts the usage log records, in the log's own
/// transaction (ADR 0009): their inbox rows are deleted by the statement batch that records them,
/// so Wolverine need not commit a handled mark of its own per contract (it skips envelopes already
/// <see cref="EnvelopeStatus.Handled"/>, as after its Marten outbox). A crash either loses both
/// (the row is still there, the contract is redelivered and recorded once) or keeps both.
/// The rows are deleted rather than marked and kept (Wolverine keeps handled rows a while to
/// recognise a redelivered message): the usage log is what recognises a redelivery here, by
/// source, so a kept row would only be one more tuple to write, count and delete later.
/// </summary>
public sealed class InboxCompletions(IWolverineRuntime runtime)
{
    private string? _table;

    /// <summary>
    /// The envelope of a contract delivered from a durable queue, whose inbox row this transaction
    /// completes; null for anything else (an inline invoke, a direct append).
    /// </summary>
    public static Envelope? Completable(Envelope? delivery) =>
        delivery is { Status: EnvelopeStatus.Incoming, Destination: not null } ? delivery : null;

    /// <summary>The statement that deletes the inbox rows of <paramref name="deliveries"/>, or null when there are none.</summary>
    public NpgsqlBatchCommand? Command(IReadOnlyList<Envelope> deliveries)
    {
        if (deliveries.Count == 0)
        {
            return null;
        }

        // Rows are identified as Wolverine identifies them (MessageIdentity.IdAndDestination).
        var command = new NpgsqlBatchCommand($"""
            delete from {Table} as e using unnest($1::uuid[], $2::varchar[]) as d(id, received_at)
            where e.id = d.id and e.{DatabaseConstants.ReceivedAt} = d.received_at
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. deliveries.Select(d => d.Id)] });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. deliveries.Select(d => d.Destination!.ToString())] });
        return command;
    }

    /// <summary>After the commit: tells Wolverine these envelopes need no handled mark.</summary>
    public static void Committed(IEnumerable<Envelope> deliveries)
    {
        foreach (var delivery in deliveries)
        {
            delivery.Status = EnvelopeStatus.Handled;
        }
    }

    // Resolved on first use: the runtime's message store exists only once the host has started.
    private string Table => _table ??= (runtime.Storage as MessageDatabase<NpgsqlConnection>)?.IncomingFullName
        ?? throw new InvalidOperationException("Usage recording needs Wolverine's PostgreSQL message store");
}
