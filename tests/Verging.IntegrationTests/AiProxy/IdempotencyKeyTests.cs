using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Verging.Api.Idempotency;
using Verging.IntegrationTests.Infrastructure;

namespace Verging.IntegrationTests.AiProxy;

/// <summary>Idempotency-Key on POST: safe retries of paid calls (DESIGN.md, HTTP conventions).</summary>
[Collection(UpstreamHostCollection.Name)]
public sealed class IdempotencyKeyTests : IDisposable
{
    private const string Body = """{"messages":[{"role":"user","content":"Explain quantum computing."}]}""";
    private readonly UpstreamHost _fixture;

    public IdempotencyKeyTests(UpstreamHost fixture)
    {
        _fixture = fixture;
        fixture.Upstream.Reset();
    }

    public void Dispose() => _fixture.Upstream.Reset();

    [Fact]
    public async Task A_retried_request_is_answered_with_the_first_response_and_charged_once()
    {
        var (_, key) = await _fixture.CreateAccountAsync(credits: 50);
        var first = await Chat(key, "retry-1", Body, 200);
        var second = await Chat(key, "retry-1", Body, 200);

        (await second.ReadAsTextAsync()).ShouldBe(await first.ReadAsTextAsync());
        second.Context.Response.Headers["Idempotent-Replayed"].ToString().ShouldBe("true");
        _fixture.Upstream.Calls.ShouldBe(1);
        (await Balance(key)).ShouldBe(49);
    }

    [Fact]
    public async Task A_streamed_answer_under_a_key_reaches_the_client_exactly_once()
    {
        var (_, key) = await _fixture.CreateAccountAsync(credits: 50);
        const string stream = """{"messages":[{"role":"user","content":"Explain quantum computing."}],"stream":true}""";
        var plain = await (await _fixture.Host.Scenario(s =>
        {
            s.Post.Url("/api/v1/ai/chat");
            s.JsonBody(stream);
            s.WithApiKey(key);
        })).ReadAsTextAsync();

        var keyed = await (await Chat(key, "stream-1", stream, 200)).ReadAsTextAsync();

        // Streamed events pass through as they are written: none sent twice, none held back.
        Occurrences(keyed, "data: [DONE]").ShouldBe(1);
        Occurrences(keyed, "\"content\"").ShouldBe(Occurrences(plain, "\"content\""));
    }

    [Fact]
    public async Task A_stream_the_client_left_is_not_replayed_cut_short_a_retry_runs_whole()
    {
        var (_, key) = await _fixture.CreateAccountAsync(credits: 50);
        const string stream = """{"messages":[{"role":"user","content":"A long story."}],"stream":true}""";
        _fixture.Upstream.StreamChunks = 100;
        _fixture.Upstream.ChunkDelay = TimeSpan.FromMilliseconds(100);
        using var client = _fixture.Host.Server.CreateClient();
        using (var cancel = new CancellationTokenSource())
        {
            using var response = await SendStreamAsync(client, key, stream, cancel.Token);
            var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancel.Token));
            (await reader.ReadLineAsync(cancel.Token))!.ShouldStartWith("data: {\"content\":\"word0 \"}");
            await cancel.CancelAsync();
        }

        _fixture.Upstream.StreamChunks = 5;
        _fixture.Upstream.ChunkDelay = TimeSpan.Zero;
        // The first run ends on the server's side of the dropped connection (settle, then the key is freed):
        // until then the same key is 409, as for any duplicate in flight.
        var deadline = Stopwatch.StartNew();
        HttpResponseMessage retry;
        while ((retry = await SendStreamAsync(client, key, stream)).StatusCode == System.Net.HttpStatusCode.Conflict && deadline.Elapsed < TimeSpan.FromSeconds(5))
        {
            retry.Dispose();
            await Task.Delay(50);
        }

        using (retry)
        {
            retry.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK, await retry.Content.ReadAsStringAsync());
            retry.Headers.Contains("Idempotent-Replayed").ShouldBeFalse();
            Occurrences(await retry.Content.ReadAsStringAsync(), "data: [DONE]").ShouldBe(1);
        }
    }

    private static async Task<HttpResponseMessage> SendStreamAsync(HttpClient client, string key, string body, CancellationToken cancellation = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/ai/chat") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", key);
        request.Headers.Add("Idempotency-Key", "cut-1");
        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellation);
    }

    private static int Occurrences(string text, string part) =>
        (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;

    [Fact]
    public async Task A_retried_upload_with_a_new_multipart_boundary_is_replayed_and_charged_once()
    {
        // curl and HTTP libraries choose a new boundary for every request: a retry must still be recognised.
        var (_, key) = await _fixture.CreateAccountAsync(credits: 50);
        var audio = await TestMedia.ToneAsync(2, "wav");
        using var client = _fixture.Host.Server.CreateClient();
        async Task<HttpResponseMessage> Upload(string boundary, byte[] file)
        {
            using var form = new MultipartFormDataContent(boundary);
            form.Add(new ByteArrayContent(file), "file", "clip.wav");
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/ai/stt") { Content = form };
            request.Headers.TryAddWithoutValidation("Authorization", $"ApiKey {key}");
            request.Headers.Add("Idempotency-Key", "upload-1");
            return await client.SendAsync(request);
        }

        var first = await Upload("boundary-one-1111", audio);
        var retry = await Upload("boundary-two-2222", audio);
        first.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        retry.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        retry.Headers.GetValues("Idempotent-Replayed").ShouldBe(["true"]);
        (await retry.Content.ReadAsStringAsync()).ShouldBe(await first.Content.ReadAsStringAsync());
        _fixture.Upstream.Calls.ShouldBe(1);
        (await Balance(key)).ShouldBe(49);

        var other = await Upload("boundary-three-3333", await TestMedia.ToneAsync(3, "wav"));
        other.StatusCode.ShouldBe(System.Net.HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task A_429_is_not_remembered_so_a_retry_after_the_reset_runs()
    {
        var (_, key) = await _fixture.CreateAccountAsync(credits: 50);
        await RateWindows.AwayFromABoundaryAsync();
        for (var i = 0; i < 8; i++)
        {
            await Chat(key, $"fill-{i}", Body, 200);
        }

        var refused = await Chat(key, "after-limit", Body, 429);
        refused.Context.Response.Headers.ContainsKey("Idempotent-Replayed").ShouldBeFalse();
        var again = await Chat(key, "after-limit", Body, 429);
        again.Context.Response.Headers.ContainsKey("Idempotent-Replayed").ShouldBeFalse("a refusal to be retried later is not a response to replay");
        again.Context.Response.Headers.RetryAfter.ToString().ShouldNotBeEmpty();
        (await Balance(key)).ShouldBe(42);
    }

    [Fact]
    public async Task The_same_key_with_a_different_request_is_422()
    {
        var (_, key) = await _fixture.CreateAccountAsync(credits: 50);
        await Chat(key, "reuse-1", Body, 200);
        var result = await Chat(key, "reuse-1", """{"messages":[{"role":"user","content":"Something else."}]}""", 422);
        (await result.ShouldBeError(42200)).ShouldContain("different request");
        (await Balance(key)).ShouldBe(49);
    }

    [Fact]
    public async Task A_duplicate_while_the_first_is_running_is_409_and_a_failed_first_frees_the_key()
    {
        var (_, key) = await _fixture.CreateAccountAsync(credits: 50);
        _fixture.Upstream.Behaviour = FakeOpenAi.Mode.Slow;
        var slow = Chat(key, "busy-1", Body, 503);
        await WaitUntilUpstreamCalled();

        var duplicate = await Chat(key, "busy-1", Body, 409);
        (await duplicate.ShouldBeError(40900)).ShouldContain("still being processed");
        await slow;

        // The first ended in 503 (nothing charged): the key is free again for the retry. The test
        // server hands the response over as soon as it is written, a moment before the middleware
        // has freed the key, so a retry may still see 409 briefly (as a real client could).
        _fixture.Upstream.Behaviour = FakeOpenAi.Mode.Normal;
        await RetryWhileInFlight(() => ChatAnyStatus(key, "busy-1", Body), expected: 200);
        (await Balance(key)).ShouldBe(49);
    }

    [Fact]
    public async Task A_claim_left_by_an_instance_that_died_mid_request_lapses_and_the_retry_runs()
    {
        var (account, key) = await _fixture.CreateAccountAsync(credits: 50);
        var store = _fixture.Host.Services.GetRequiredService<IdempotencyStore>();
        var scope = $"{account}:/api/v1/ai/chat";
        // What an instance killed mid-request leaves behind: the claim of the same request, never completed nor freed.
        var request = new DefaultHttpContext().Request;
        (request.Method, request.Path, request.ContentType) = ("POST", "/api/v1/ai/chat", "application/json");
        request.Body = new MemoryStream(Encoding.UTF8.GetBytes(Body));
        (await store.ClaimAsync(scope, "crash-1", await RequestFingerprint.ComputeAsync(request), CancellationToken.None)).ShouldBeNull();

        // Within its lease the claim holds, as for any request still running somewhere.
        (await (await Chat(key, "crash-1", Body, 409)).ShouldBeError(40900)).ShouldContain("still being processed");

        // Nobody renews it: once the lease has lapsed (moved back here instead of waiting 30 s) the retry runs.
        await using (var lapse = _fixture.Host.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
            $"update {IdempotencyStore.Table} set lease_until = now() - interval '1 second' where scope = $1 and not completed"))
        {
            lapse.Parameters.Add(new NpgsqlParameter { Value = scope });
            (await lapse.ExecuteNonQueryAsync()).ShouldBe(1);
        }

        await Chat(key, "crash-1", Body, 200);
        (await Chat(key, "crash-1", Body, 200)).Context.Response.Headers["Idempotent-Replayed"].ToString().ShouldBe("true");
        _fixture.Upstream.Calls.ShouldBe(1);
        (await Balance(key)).ShouldBe(49);
    }

    [Fact]
    public async Task A_running_request_renews_its_claim()
    {
        var (account, _) = await _fixture.CreateAccountAsync(credits: 50);
        var store = _fixture.Host.Services.GetRequiredService<IdempotencyStore>();
        var scope = $"{account}:/api/v1/ai/chat";
        (await store.ClaimAsync(scope, "long-1", [1], CancellationToken.None)).ShouldBeNull();
        var before = await LeaseUntil(scope);
        await store.RenewAsync(scope, "long-1", CancellationToken.None);
        (await LeaseUntil(scope)).ShouldBeGreaterThan(before);
        (before - DateTimeOffset.UtcNow).ShouldBeInRange(TimeSpan.FromSeconds(20), IdempotencyStore.ClaimLease);
    }

    private async Task<DateTimeOffset> LeaseUntil(string scope)
    {
        await using var command = _fixture.Host.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
            $"select lease_until from {IdempotencyStore.Table} where scope = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = scope });
        return new DateTimeOffset((DateTime)(await command.ExecuteScalarAsync())!, TimeSpan.Zero);
    }

    [Fact]
    public async Task Keys_are_per_account()
    {
        var (_, alice) = await _fixture.CreateAccountAsync(credits: 50);
        var (_, bob) = await _fixture.CreateAccountAsync(credits: 50);
        await Chat(alice, "shared-key", Body, 200);
        var bobs = await Chat(bob, "shared-key", Body, 200);
        bobs.Context.Response.Headers.ContainsKey("Idempotent-Replayed").ShouldBeFalse();
        (await Balance(bob)).ShouldBe(49);
    }

    private async Task WaitUntilUpstreamCalled()
    {
        // The fake counts calls as they arrive; the slow call holds its key for 2 s (the timeout).
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (_fixture.Upstream.Calls == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
    }

    private static async Task RetryWhileInFlight(Func<Task<Alba.IScenarioResult>> send, int expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        var result = await send();
        while (result.Context.Response.StatusCode == 409 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
            result = await send();
        }

        result.Context.Response.StatusCode.ShouldBe(expected);
    }

    private Task<Alba.IScenarioResult> ChatAnyStatus(string key, string idempotencyKey, string body) =>
        _fixture.Host.Scenario(s =>
        {
            s.Post.Url("/api/v1/ai/chat");
            s.JsonBody(body);
            s.WithApiKey(key);
            s.WithRequestHeader("Idempotency-Key", idempotencyKey);
            s.IgnoreStatusCode();
        });

    private Task<Alba.IScenarioResult> Chat(string key, string idempotencyKey, string body, int status) =>
        _fixture.Host.Scenario(s =>
        {
            s.Post.Url("/api/v1/ai/chat");
            s.JsonBody(body);
            s.WithApiKey(key);
            s.WithRequestHeader("Idempotency-Key", idempotencyKey);
            s.StatusCodeShouldBe(status);
        });

    private async Task<long> Balance(string key) =>
        (await (await _fixture.Host.Scenario(s => { s.Get.Url("/api/v1/credits"); s.WithApiKey(key); })).Json())["balance"]!.GetValue<long>();
}
