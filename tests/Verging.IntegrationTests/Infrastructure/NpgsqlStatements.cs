using System.Collections.Concurrent;
using System.Diagnostics;
using Npgsql;

namespace Verging.IntegrationTests.Infrastructure;

/// <summary>What SQL a piece of the app sends, seen through Npgsql's tracing.</summary>
public static class NpgsqlStatements
{
    /// <summary>
    /// The SQL of every command and batch (a batch's statements joined) that Npgsql runs on the
    /// database of <paramref name="connectionString"/> while <paramref name="action"/> runs. The
    /// listener sees the whole test process, where other collections run against databases of their
    /// own in parallel, so only this database's statements are kept.
    /// </summary>
    public static async Task<List<string>> DuringAsync(string connectionString, Func<Task> action)
    {
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database;
        var seen = new ConcurrentQueue<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (Tag(activity, "db.namespace", "db.name") == database)
                {
                    seen.Enqueue(Tag(activity, "db.query.text", "db.statement") ?? string.Empty);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await action();
        return [.. seen];
    }

    private static string? Tag(Activity activity, string current, string legacy) =>
        activity.TagObjects.FirstOrDefault(t => t.Key == current || t.Key == legacy).Value?.ToString();
}
