using Weasel.Postgresql.Tables;

namespace Verging.Jobs.Lifecycle;

/// <summary>
/// Who is working on which job attempt, until when. Operational state rather than history: a
/// heartbeat only moves <c>expires_at</c>, so it is a row, not an event. Written in the same
/// transaction as JobStarted and the job's end.
/// </summary>
public static class LeaseTable
{
    public const string Name = "jobs.job_leases";

    public static Table Build()
    {
        var table = new Table(Name);
        table.AddColumn<Guid>("job_id").AsPrimaryKey();
        table.AddColumn<int>("attempt").NotNull();
        table.AddColumn<string>("worker_id").NotNull();
        table.AddColumn<DateTimeOffset>("expires_at").NotNull();
        // What the holder was granted; each renewal extends the lease by as much again.
        table.AddColumn<double>("lease_seconds").NotNull().DefaultValueByExpression("60");
        table.Indexes.Add(new IndexDefinition("ix_job_leases_expires_at") { Columns = ["expires_at"] });
        return table;
    }

    public const string Upsert =
        $"insert into {Name} (job_id, attempt, worker_id, expires_at, lease_seconds) values (?, ?, ?, ?, ?) " +
        "on conflict (job_id) do update set attempt = excluded.attempt, worker_id = excluded.worker_id, " +
        "expires_at = excluded.expires_at, lease_seconds = excluded.lease_seconds";

    public const string Delete = $"delete from {Name} where job_id = ?";
}
