using Npgsql;
using Wolverine;
using Wolverine.RDBMS;
using Wolverine.Runtime;

namespace Verging.Usage.Recording;

/// <summary>
/// Marks the inbox envelopes of contracts the usage log records as handled, in the log's own
/// transaction (ADR 0009): the record and the handled mark commit together, so Wolverine need not
/// commit a mark of its own per contract (it skips envelopes already <see cref="EnvelopeStatus.Handled"/>,
/// as after its Marten outbox). Either both are lost by a crash, and the contract is redelivered and
/// recorded once, or both are there. The update is the one Wolverine's message store makes.
/// </summary>
public sealed class InboxHandledMarks(IWolverineRuntime runtime)
{
    private string? _table;

    /// <summary>
    /// The envelope of a contract delivered from a durable queue, whose inbox row this transaction
    /// may mark; null for anything else (an inline invoke, a direct append).
    /// </summary>
    public static Envelope? Markable(Envelope? delivery) =>
        delivery is { Status: EnvelopeStatus.Incoming, Destination: not null } ? delivery : null;

    /// <summary>The statement that marks <paramref name="deliveries"/> handled, or null when there are none.</summary>
    public NpgsqlBatchCommand? Command(IReadOnlyList<Envelope> deliveries)
    {
        if (deliveries.Count == 0)
        {
            return null;
        }

        var command = new NpgsqlBatchCommand($"""
            update {Table} as e set {DatabaseConstants.Status} = '{EnvelopeStatus.Handled}', {DatabaseConstants.KeepUntil} = $3
            from unnest($1::uuid[], $2::varchar[]) as h(id, received_at)
            where e.id = h.id and e.{DatabaseConstants.ReceivedAt} = h.received_at
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. deliveries.Select(d => d.Id)] });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. deliveries.Select(d => d.Destination!.ToString())] });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>
        {
            TypedValue = DateTimeOffset.UtcNow.Add(runtime.Options.Durability.KeepAfterMessageHandling),
        });
        return command;
    }

    /// <summary>After the commit: tells Wolverine the marks are written.</summary>
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
