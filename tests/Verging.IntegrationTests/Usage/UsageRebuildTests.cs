using Npgsql;
using Wolverine;
using Wolverine.Tracking;
using Verging.IntegrationTests.Infrastructure;
using Verging.Usage.Maintenance;

namespace Verging.IntegrationTests.Usage;

[Collection(SharedHostCollection.Name)]
public sealed class UsageRebuildTests(VergingHost fixture)
{
    [Fact]
    public async Task A_rebuild_from_the_usage_log_equals_the_live_read_model()
    {
        var (account, key) = await fixture.CreateAccountAsync(credits: 30);
        // Real requests through the sandbox (a success and a refusal), and contracts of every kind.
        await fixture.Host.TrackActivity().Timeout(TimeSpan.FromSeconds(60)).ExecuteAndWaitAsync((Func<IMessageContext, Task>)(async _ =>
        {
            await fixture.Host.Scenario(s =>
            {
                s.Post.Url("/api/v1/ai/tts");
                s.JsonBody("""{"input":"Rebuild me."}""");
                s.WithApiKey(key);
            });
        }));
        var apiKey = Guid.NewGuid();
        await fixture.PublishAsync(
            UsageKit.Completed(account, apiKey, "chat", UsageKit.Base, model: "a \"quoted\" model"),
            UsageKit.Failed(account, apiKey, "vision", UsageKit.Base.AddSeconds(1)),
            UsageKit.JobEnded(account, apiKey, UsageKit.Base.AddSeconds(2), attempt: 1, credits: 0, status: "failed"),
            UsageKit.JobEnded(account, apiKey, UsageKit.Base.AddSeconds(3), attempt: 2));

        var live = await SnapshotAsync();
        var liveCounts = await CountsAsync();
        live.Count.ShouldBeGreaterThanOrEqualTo(5);
        var pageBefore = (await fixture.GetJsonAsync(key, "/api/v1/ai/usage")).ToJsonString();

        // Lose the read model, then rebuild it from the log alone.
        await using (var wipe = fixture.Service<NpgsqlDataSource>().CreateCommand("delete from usage.records; delete from usage.record_counts"))
        {
            await wipe.ExecuteNonQueryAsync();
        }

        (await fixture.GetJsonAsync(key, "/api/v1/ai/usage"))["total"]!.GetValue<long>().ShouldBe(0);
        var rebuilt = await fixture.Service<UsageRebuild>().RunAsync(CancellationToken.None);

        rebuilt.ShouldBe(live.Count);
        (await SnapshotAsync()).ShouldBe(live, "every column of every record, ids included");
        (await CountsAsync()).ShouldBe(liveCounts, "the per-account counts behind the page totals");
        (await fixture.GetJsonAsync(key, "/api/v1/ai/usage")).ToJsonString().ShouldBe(pageBefore);
    }

    /// <summary>Every row of the read model, every column, as text, in id order.</summary>
    private Task<List<string>> SnapshotAsync() => RowsAsync($"select ({UsageRebuild.RecordColumns})::text from usage.records order by id");

    private Task<List<string>> CountsAsync() =>
        RowsAsync("select (account_id, kind, service_type, shard, records)::text from usage.record_counts order by account_id, kind, service_type, shard");

    private async Task<List<string>> RowsAsync(string sql)
    {
        await using var command = fixture.Service<NpgsqlDataSource>().CreateCommand(sql);
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }
}
