using Weasel.Postgresql.Tables;

namespace Verging.Usage.Recording;

/// <summary>
/// The Usage module's two plain tables in schema <c>usage</c>, created and migrated by Marten/Weasel
/// with the rest of the database (ADR 0009):
/// <list type="bullet">
/// <item><c>usage.received_events</c>: the durable log of every contract Usage received, one row per
/// source (request id, or job id + attempt). Its unique key is how a redelivery is recognised, and its
/// identity is the stable record id; rebuilds replay it.</item>
/// <item><c>usage.records</c>: the flat read model the queries read, one row per log row.</item>
/// <item><c>usage.record_counts</c>: how many records an account has per kind and service, kept in
/// the same statement as the records, so a page's <c>total</c> is one row read instead of a count
/// over an account's whole history.</item>
/// </list>
/// </summary>
internal static class UsageTables
{
    public const string Schema = "usage";
    public const string ReceivedEvents = "usage.received_events";
    public const string Records = "usage.records";
    public const string RecordCounts = "usage.record_counts";

    /// <summary>The shard of a count row a record adds to: a pure function of its source id, so a rebuild puts it in the same row.</summary>
    public const string CountShardOfSourceId = "(abs(hashtext(source_id::text)) % 8)::smallint";

    public static Table ReceivedEventsTable()
    {
        var table = new Table(ReceivedEvents);
        table.AddColumn<long>("id").AsPrimaryKey().BigAutoIncrement();
        table.AddColumn<Guid>("source_id").NotNull();
        // 0 for an AI request (it has one ending); the attempt number for a job.
        table.AddColumn<int>("attempt").NotNull();
        table.AddColumn<string>("event_type").NotNull();
        table.AddColumn("payload", "jsonb").NotNull();
        table.AddColumn<DateTimeOffset>("received_at").NotNull();
        table.Indexes.Add(new IndexDefinition("ux_received_events_source") { Columns = ["source_id", "attempt"], IsUnique = true });
        return table;
    }

    public static Table RecordsTable()
    {
        var table = new Table(Records);
        table.AddColumn<long>("id").AsPrimaryKey();
        table.AddColumn<Guid>("source_id").NotNull();
        table.AddColumn<int>("attempt").NotNull();
        table.AddColumn<string>("kind").NotNull();
        table.AddColumn<Guid>("account_id").NotNull();
        table.AddColumn<Guid>("api_key_id").NotNull();
        table.AddColumn<string>("service_type").NotNull();
        table.AddColumn<string>("model").NotNull();
        table.AddColumn<string>("status").NotNull();
        table.AddColumn<int>("error_code");
        table.AddColumn<long>("credits_consumed").NotNull();
        table.AddColumn<long>("input_tokens").NotNull();
        table.AddColumn<long>("output_tokens").NotNull();
        table.AddColumn<double>("units").NotNull();
        table.AddColumn<long>("latency_ms").NotNull();
        table.AddColumn<DateTimeOffset>("created_at").NotNull();

        // Newest first is a backward scan of these; the kind and service type lead so that the page
        // query and its count are index-only range scans of one account's slice.
        table.Indexes.Add(new IndexDefinition("ix_records_account_kind_time") { Columns = ["account_id", "kind", "created_at", "id"] });
        table.Indexes.Add(new IndexDefinition("ix_records_account_kind_service_time") { Columns = ["account_id", "kind", "service_type", "created_at", "id"] });
        // The summary covers AI requests and jobs: one range of one account's time line, read from the
        // index alone (it carries every column the summary adds up), never from the table.
        table.Indexes.Add(new IndexDefinition("ix_records_account_time")
        {
            Columns = ["account_id", "created_at"],
            IncludeColumns = ["kind", "status", "service_type", "api_key_id", "credits_consumed", "input_tokens", "output_tokens", "latency_ms"],
        });
        return table;
    }

    public static Table RecordCountsTable()
    {
        var table = new Table(RecordCounts);
        table.AddColumn<Guid>("account_id").AsPrimaryKey();
        table.AddColumn<string>("kind").AsPrimaryKey();
        table.AddColumn<string>("service_type").AsPrimaryKey();
        // Each count is spread over a few rows (picked by the source id) so that concurrent records of
        // one busy account do not all queue on one row lock for the time of a commit.
        table.AddColumn<short>("shard").AsPrimaryKey();
        table.AddColumn<long>("records").NotNull();
        return table;
    }
}
