using Weasel.Postgresql.Tables;

namespace Verging.AiProxy.RateLimits;

/// <summary>The counter table, created and migrated with the rest of the schema by Marten/Weasel.</summary>
internal static class RateWindowsTable
{
    public static Table Build()
    {
        var table = new Table("aiproxy.rate_windows");
        table.AddColumn<Guid>("account_id").AsPrimaryKey();
        table.AddColumn<string>("service").AsPrimaryKey();
        table.AddColumn<DateTimeOffset>("window_start").AsPrimaryKey();
        table.AddColumn<int>("count").NotNull();
        return table;
    }
}
