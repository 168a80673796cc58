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
        // How many the last claim got (a claim may get fewer than it asked near the limit).
        table.AddColumn<int>("granted").NotNull().DefaultValueByExpression("0");
        return table;
    }
}
