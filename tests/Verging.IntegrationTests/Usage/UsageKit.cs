using System.Text.Json.Nodes;
using Alba;
using Npgsql;
using Verging.AiProxy.Contracts;
using Verging.IntegrationTests.Infrastructure;
using Verging.Jobs.Contracts;
using Wolverine;
using Wolverine.Tracking;

namespace Verging.IntegrationTests.Usage;

/// <summary>What the usage tests share: publishing contracts the way AiProxy and Jobs do, and reading back.</summary>
internal static class UsageKit
{
    public static readonly DateTimeOffset Base = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Publishes the contracts through the host's bus and waits until every one was handled (tracked, no sleeps).</summary>
    public static async Task<ITrackedSession> PublishAsync(this VergingHost fixture, params object[] messages) =>
        await fixture.Host.TrackActivity().Timeout(TimeSpan.FromSeconds(60))
            .ExecuteAndWaitAsync((Func<IMessageContext, Task>)(async context =>
            {
                foreach (var message in messages)
                {
                    await context.PublishAsync(message);
                }
            }));

    public static AiRequestCompleted Completed(
        Guid account, Guid apiKey, string service, DateTimeOffset at, long credits = 1, long input = 10, long output = 20,
        long latency = 100, string model = "gpt-4o") =>
        new(Guid.CreateVersion7(), account, apiKey, service, model, input, output, 0, credits, latency, at);

    public static AiRequestFailed Failed(Guid account, Guid apiKey, string service, DateTimeOffset at, long latency = 50) =>
        new(Guid.CreateVersion7(), account, apiKey, service, "gpt-4o", "upstream_error", 50200, latency, at);

    public static JobAttemptEnded JobEnded(Guid account, Guid apiKey, DateTimeOffset at, int attempt = 1, long credits = 6, string status = "completed") =>
        new(Guid.CreateVersion7(), account, apiKey, JobTypes.FaceSwap, status, attempt, credits, 5.2, 9_000, null, at);

    public static async Task<JsonNode> GetJsonAsync(this VergingHost fixture, string key, string url)
    {
        var result = await fixture.Host.Scenario(s =>
        {
            s.Get.Url(url);
            s.WithApiKey(key);
            s.StatusCodeShouldBe(200);
        });
        return await result.Json();
    }

    public static async Task<long> CountRecordsAsync(this VergingHost fixture, Guid sourceId)
    {
        await using var command = fixture.Service<NpgsqlDataSource>().CreateCommand("select count(*) from usage.records where source_id = $1");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = sourceId });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public static string Q(DateTimeOffset at) => Uri.EscapeDataString(at.ToString("O"));
}
