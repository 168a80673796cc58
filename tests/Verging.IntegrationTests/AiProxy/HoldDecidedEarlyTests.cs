using Alba;
using Marten;
using System.Text.Json.Nodes;
using Verging.Credits.Contracts;
using Verging.IntegrationTests.Infrastructure;
using Wolverine;

namespace Verging.IntegrationTests.AiProxy;

/// <summary>
/// Chat calls the provider as soon as the ledger has decided to hold, while the hold's commit is on
/// its way, and delivers nothing before the hold is durable (ADR 0018). The commit is held back by a
/// lock on the account's stream, as another instance's batch would hold it.
/// </summary>
[Collection(UpstreamHostCollection.Name)]
public sealed class HoldDecidedEarlyTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly UpstreamHost _fixture;

    public HoldDecidedEarlyTests(UpstreamHost fixture)
    {
        _fixture = fixture;
        fixture.Upstream.Reset();
    }

    public void Dispose() => _fixture.Upstream.Reset();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_provider_is_called_while_the_hold_commits_and_nothing_is_answered_before_it_is_durable(bool stream)
    {
        var (account, key) = await _fixture.CreateAccountAsync(credits: 100);
        await ChatAsync(_fixture.Host, key, stream, 200);
        _fixture.Upstream.Reset();
        Task<IScenarioResult> pending;

        await using (await LedgerStreamLock.HoldAsync(_fixture.ConnectionString, _fixture.Service<IDocumentStore>(), account))
        {
            pending = ChatAsync(_fixture.Host, key, stream, 200);

            await _fixture.Upstream.ChatCalled.WaitAsync(Patience);
            pending.IsCompleted.ShouldBeFalse("the hold is not durable yet: nothing may be answered");
            (await _fixture.Host.CreditsOfAsync(key)).ShouldBe((99L, 0L), "nothing is held in the database before the commit");
        }

        var body = await (await pending.WaitAsync(Patience)).ReadAsTextAsync();
        var answer = stream ? JsonNode.Parse(body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)[^2].Trim()["data: ".Length..])! : JsonNode.Parse(body)!;
        answer["credits_consumed"]!.GetValue<long>().ShouldBe(1);
        (await _fixture.Host.CreditsOfAsync(key)).ShouldBe((98L, 0L));
        _fixture.Upstream.Calls.ShouldBe(1);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_hold_decided_on_a_stale_cache_and_refused_at_its_commit_is_402_and_charges_nothing(bool stream)
    {
        var (account, key) = await _fixture.CreateAccountAsync(credits: 10);
        await ChatAsync(_fixture.Host, key, stream, 200);
        await using var other = await _fixture.StartAnotherInstanceAsync();
        // Behind the first instance's cache (9 available), the other one holds 8: the stream says 1.
        (await other.MessageBus().InvokeAsync<FreezeOutcome>(new FreezeCredits(account, Guid.CreateVersion7(), 8, "face-swap")))
            .Status.ShouldBe(FreezeStatus.Frozen);

        var refused = await ChatAsync(_fixture.Host, key, stream, 402);

        (await refused.ShouldBeError(40001)).ShouldBe("Insufficient credits. Required: 5, available: 1");
        (await _fixture.Host.CreditsOfAsync(key)).ShouldBe((9L, 8L));
        _fixture.Logs.Lines.ShouldContain(l => l.Contains("the hold decided on was not committed (Insufficient)"),
            "the first instance decided to hold on its cache, so this refusal came from the commit");
    }

    private static Task<IScenarioResult> ChatAsync(IAlbaHost host, string key, bool stream, int status) => host.Scenario(s =>
    {
        s.Post.Url("/api/v1/ai/chat");
        s.JsonBody($$"""{"messages":[{"role":"user","content":"hello"}],"max_tokens":100,"stream":{{(stream ? "true" : "false")}}}""");
        s.WithApiKey(key);
        s.StatusCodeShouldBe(status);
    });
}
