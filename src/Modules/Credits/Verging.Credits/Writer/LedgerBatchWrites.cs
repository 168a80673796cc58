using System.Collections.Concurrent;
using Marten;
using Marten.Events;
using Npgsql;
using Verging.Credits.Ledger;
using Verging.Credits.Transactions;

namespace Verging.Credits.Writer;

/// <summary>
/// Everything one writer batch changes, written with a handful of set-based statements that the
/// writer sends in one round trip together with the batch's outgoing messages and its COMMIT
/// (ADR 0017): all events of all streams in one insert that also writes their transaction
/// history rows, one update of the stream versions, one upsert of the balance documents, one of
/// the ended reservations, one insert of the applied operations, and one insert and one delete of
/// open-hold rows (the holds the batch's events opened and ended).
/// Marten's own append runs a plpgsql function and a document upsert per stream and per record,
/// planned one by one; on two cores that was most of a batch's time (ADR 0014). The rows written
/// are exactly Marten's (same tables, columns, serializer and type names), so Marten reads them
/// back as its own: stream replay, history as of a time, the audit and the LINQ queries.
/// </summary>
internal sealed class LedgerBatchWrites(IDocumentStore store)
{
    private const string DefaultTenant = "*DEFAULT*";
    private static readonly string LedgerType = typeof(Ledger.Ledger).FullName!;
    private static readonly string EntryType = typeof(LedgerEntry).FullName!;
    private static readonly string RecordType = typeof(ReservationRecord).FullName!;
    private static readonly string OperationType = typeof(LedgerOperation).FullName!;

    // Marten's alias and .NET name of each event type, asked once per type rather than per event.
    private static readonly ConcurrentDictionary<Type, (string Alias, string DotNetName)> TypeNames = new();

    private readonly List<(Guid Stream, long Version, object Data)> _events = [];
    private readonly List<(Guid Stream, long Version)> _newStreams = [];
    private readonly List<(Guid Stream, long Expected, long Version)> _movedStreams = [];
    private readonly List<Ledger.Ledger> _ledgers = [];
    private readonly List<ReservationRecord> _records = [];
    private readonly List<LedgerOperation> _operations = [];
    private readonly Dictionary<(Guid Account, Guid Reservation), Hold> _openedHolds = [];
    private readonly List<(Guid Account, Guid Reservation)> _endedHolds = [];
    private readonly List<Ledger.Ledger> _resyncedHolds = [];
    private readonly List<(string Sql, object[] Args)> _statements = [];
    private readonly List<string> _mustNotHaveEnded = [];

    public bool IsEmpty => _events.Count == 0 && _resyncedHolds.Count == 0;

    /// <summary>Appends events to a stream that is at <paramref name="versionBefore"/> (null: the stream does not exist yet).</summary>
    public void Append(Guid stream, long? versionBefore, IReadOnlyList<object> events)
    {
        var version = versionBefore ?? 0;
        foreach (var data in events)
        {
            _events.Add((stream, ++version, data));
            TrackHold(stream, data);
        }

        if (versionBefore is { } expected)
        {
            _movedStreams.Add((stream, expected, version));
        }
        else
        {
            _newStreams.Add((stream, version));
        }
    }

    public void Store(Ledger.Ledger ledger) => _ledgers.Add(ledger);

    /// <summary>Reservations the batch freezes afresh on cached states: the guard checks none of them has ended.</summary>
    public void RequireNotEnded(IEnumerable<string> reservationKeys) => _mustNotHaveEnded.AddRange(reservationKeys);

    public void Store(ReservationRecord record) => _records.Add(record);

    public void Insert(LedgerOperation operation) => _operations.Add(operation);

    /// <summary>
    /// Rewrites all open-hold rows of the account to <paramref name="ledger"/>'s holds (its state
    /// before this batch's events), for a state that had to be replayed because the stored one did
    /// not match its stream.
    /// </summary>
    public void ResyncHolds(Ledger.Ledger ledger) => _resyncedHolds.Add(ledger);

    /// <summary>Adds the statements to <paramref name="batch"/>, in the order they must run.</summary>
    public void AddTo(NpgsqlBatch batch)
    {
        Build();
        foreach (var (sql, args) in _statements)
        {
            batch.BatchCommands.Add(PositionalSql.Command(sql, args));
        }
    }

    /// <summary>Queues the statements on a Marten session (the rebuild); its <c>SaveChangesAsync</c> sends them.</summary>
    public void QueueOn(IDocumentSession session)
    {
        Build();
        foreach (var (sql, args) in _statements)
        {
            session.QueueSqlCommand(sql, args);
        }
    }

    private void Build()
    {
        _statements.Clear();
        var serializer = store.Options.Serializer();
        var eventTypes = (EventGraph)store.Options.Events;
        var streams = store.Options.Events.DatabaseSchemaName;

        // A new stream's row must exist before its events (foreign key).
        if (_newStreams.Count > 0)
        {
            Statement(
                $"insert into {streams}.mt_streams (id, type, version, timestamp, created, tenant_id, is_archived) " +
                "select id, 'ledger', version, now(), now(), ?, false from unnest(?::uuid[], ?::bigint[]) as s(id, version)",
                DefaultTenant, _newStreams.Select(s => s.Stream).ToArray(), _newStreams.Select(s => s.Version).ToArray());
        }

        if (_movedStreams.Count > 0)
        {
            // Checked, not just set: a batch decided on cached states has no lock to rely on.
            Statement($"select {OptimisticBatch.Guard}(?::uuid[], ?::bigint[], ?::bigint[], ?::varchar[])",
                _movedStreams.Select(s => s.Stream).ToArray(), _movedStreams.Select(s => s.Expected).ToArray(), _movedStreams.Select(s => s.Version).ToArray(),
                _mustNotHaveEnded.ToArray());
        }

        if (_events.Count > 0)
        {
            AddEvents(serializer, eventTypes, streams);
        }

        AddHoldChanges();

        if (_ledgers.Count > 0)
        {
            AddUpsert(Table<Ledger.Ledger>(), "uuid", LedgerType, _ledgers.Select(l => l.Id).ToArray(), _ledgers.Select(l => serializer.ToJson(l)).ToArray());
        }

        if (_records.Count > 0)
        {
            AddUpsert(Table<ReservationRecord>(), "varchar", RecordType, _records.Select(r => r.Id).ToArray(), _records.Select(r => serializer.ToJson(r)).ToArray());
        }

        if (_operations.Count > 0)
        {
            // A plain insert, as before: an operation id applied twice is a unique violation and a retry.
            Statement(
                $"insert into {Table<LedgerOperation>()} (id, data, mt_version, mt_dotnet_type, mt_last_modified) " +
                "select id, data, gen_random_uuid(), ?, now() from unnest(?::varchar[], ?::jsonb[]) as d(id, data)",
                OperationType, _operations.Select(o => o.Id).ToArray(), _operations.Select(o => serializer.ToJson(o)).ToArray());
        }
    }

    /// <summary>The open-hold row changes: resynced accounts first, then the batch's own opens and ends.</summary>
    private void AddHoldChanges()
    {
        if (_resyncedHolds.Count > 0)
        {
            Statement(OpenHoldsTable.DeleteForAccounts, _resyncedHolds.Select(l => l.Id).ToArray());
            AddHoldInserts(_resyncedHolds.SelectMany(l => l.Holds.Select(h => (l.Id, h.Key, h.Value))).ToList());
        }

        AddHoldInserts(_openedHolds.Select(h => (h.Key.Account, h.Key.Reservation, h.Value)).ToList());
        if (_endedHolds.Count > 0)
        {
            Statement(OpenHoldsTable.DeleteMany,
                _endedHolds.Select(h => h.Account).ToArray(), _endedHolds.Select(h => h.Reservation).ToArray());
        }
    }

    private void TrackHold(Guid account, object data)
    {
        if (data is CreditsFrozen e)
        {
            _openedHolds[(account, e.ReservationId)] = new Hold(e.Amount, e.Purpose, e.ExpiresAt);
        }
        else if (Ledger.Ledger.EndedReservation(data) is { } reservation)
        {
            EndHold(account, reservation);
        }
    }

    // A hold opened and ended in the same batch never needs a row.
    private void EndHold(Guid account, Guid reservation)
    {
        if (!_openedHolds.Remove((account, reservation)))
        {
            _endedHolds.Add((account, reservation));
        }
    }

    private void AddHoldInserts(List<(Guid Account, Guid Reservation, Hold Hold)> holds)
    {
        if (holds.Count > 0)
        {
            Statement(OpenHoldsTable.InsertMany,
                holds.Select(h => h.Account).ToArray(), holds.Select(h => h.Reservation).ToArray(), holds.Select(h => h.Hold.Amount).ToArray(),
                holds.Select(h => h.Hold.Purpose).ToArray(), holds.Select(h => h.Hold.ExpiresAt).ToArray());
        }
    }

    private void AddEvents(ISerializer serializer, EventGraph eventTypes, string streams)
    {
        var count = _events.Count;
        var ids = new Guid[count];
        var streamIds = new Guid[count];
        var versions = new long[count];
        var bodies = new string[count];
        var types = new string[count];
        var dotnetTypes = new string[count];
        var entries = new string?[count];
        for (var i = 0; i < count; i++)
        {
            var (stream, version, data) = _events[i];
            (types[i], dotnetTypes[i]) = TypeNames.GetOrAdd(data.GetType(), static (_, arg) =>
            {
                var described = arg.Graph.BuildEvent(arg.Data);
                return (described.EventTypeName, described.DotNetTypeName);
            }, (Graph: eventTypes, Data: data));
            ids[i] = Guid.CreateVersion7();
            streamIds[i] = stream;
            versions[i] = version;
            bodies[i] = serializer.ToJson(data);
            // The history row; its id (the event's sequence) and time are filled in by the database.
            entries[i] = LedgerEntryProjection.EntryFor(0, stream, data, default) is { } entry ? serializer.ToJson(entry) : null;
        }

        // Sequence numbers are drawn in the batch's order (volatile functions run after the sort),
        // so history ids follow the order the writer decided in.
        Statement(
            "with input as (select * from unnest(?::uuid[], ?::uuid[], ?::bigint[], ?::jsonb[], ?::varchar[], ?::varchar[], ?::jsonb[]) " +
            "  with ordinality as e(id, stream_id, version, data, type, dotnet_type, entry, ord)), " +
            $"numbered as (select nextval('{streams}.mt_events_sequence') as seq_id, input.* from input order by ord), " +
            $"appended as (insert into {streams}.mt_events (seq_id, id, stream_id, version, data, type, tenant_id, timestamp, mt_dotnet_type, is_archived) " +
            "  select seq_id, id, stream_id, version, data, type, ?, now(), dotnet_type, false from numbered) " +
            $"insert into {Table<LedgerEntry>()} (id, data, mt_version, mt_dotnet_type, mt_last_modified) " +
            "select seq_id, entry || jsonb_build_object('id', seq_id, 'createdAt', now()), gen_random_uuid(), ?, now() " +
            "from numbered where entry is not null",
            ids, streamIds, versions, bodies, types, dotnetTypes, entries, DefaultTenant, EntryType);
    }

    private void AddUpsert<TId>(string table, string idType, string dotnetType, TId[] ids, string[] bodies)
    {
        Statement(
            $"insert into {table} (id, data, mt_version, mt_dotnet_type, mt_last_modified) " +
            $"select id, data, gen_random_uuid(), ?, now() from unnest(?::{idType}[], ?::jsonb[]) as d(id, data) " +
            "on conflict (id) do update set data = excluded.data, mt_version = excluded.mt_version, mt_last_modified = excluded.mt_last_modified",
            dotnetType, ids, bodies);
    }

    private void Statement(string sql, params object[] args) => _statements.Add((sql, args));

    private string Table<T>() => store.Options.Schema.For<T>();
}
