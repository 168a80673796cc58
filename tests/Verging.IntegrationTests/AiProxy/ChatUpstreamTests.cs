using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Verging.IntegrationTests.Infrastructure;
using Verging.IntegrationTests.Usage;

namespace Verging.IntegrationTests.AiProxy;

[Collection(UpstreamHostCollection.Name)]
public sealed class ChatUpstreamTests : IDisposable
{
    private readonly UpstreamHost _fixture;

    public ChatUpstreamTests(UpstreamHost fixture)
    {
        _fixture = fixture;
        fixture.Upstream.Reset();
    }

    public void Dispose() => _fixture.Upstream.Reset();

    private const string Body = """
        {"messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Explain quantum computing in one paragraph."}],
         "temperature":0.7,"max_tokens":256}
        """;

    [Fact]
    public async Task A_chat_is_forwarded_in_openai_format_and_billed_from_the_reported_usage()
    {
        var (_, key) = await _fixture.CreateAccountAsync(credits: 100);
        var result = await _fixture.Host.Scenario(s =>
        {
            s.Post.Url("/api/v1/ai/chat");
            s.JsonBody(Body);
            s.WithApiKey(key);
            s.StatusCodeShouldBe(200);
        });
        var json = await result.Json();
        json["content"]!.GetValue<string>().ShouldBe("Quantum computing uses qubits.");
        json["usage"]!["prompt_tokens"]!.GetValue<long>().ShouldBe(24);
        json["usage"]!["completion_tokens"]!.GetValue<long>().ShouldBe(85);
        json["usage"]!["total_tokens"]!.GetValue<long>().ShouldBe(109);
        json["credits_consumed"]!.GetValue<long>().ShouldBe(1);
        result.Context.Response.Headers["X-RateLimit-Limit"].ToString().ShouldBe("8");

        var sent = _fixture.Upstream.LastRequest!;
        sent["model"]!.GetValue<string>().ShouldBe("gpt-4o");
        sent["max_tokens"]!.GetValue<long>().ShouldBe(256);
        sent["temperature"]!.GetValue<double>().ShouldBe(0.7);
        sent["messages"]!.AsArray().Count.ShouldBe(2);
        (await _fixture.Host.CreditsOfAsync(key)).ShouldBe((99L, 0L));
    }

    [Fact]
    public async Task Streaming_relays_each_chunk_then_usage_and_credits_then_done()
    {
        var (_, key) = await _fixture.CreateAccountAsync(credits: 100);
        var result = await _fixture.Host.Scenario(s =>
        {
            s.Post.Url("/api/v1/ai/chat");
            s.JsonBody("""{"messages":[{"role":"user","content":"Write a haiku about coding."}],"stream":true}""");
            s.WithApiKey(key);
            s.StatusCodeShouldBe(200);
        });
        result.Context.Response.ContentType.ShouldStartWith("text/event-stream");
        var events = Events(await result.ReadAsTextAsync());
        events[^1].ShouldBe("[DONE]");
        var chunks = events.SkipLast(1).Select(e => JsonNode.Parse(e)!).ToList();
        chunks.Take(5).Select(c => c["content"]!.GetValue<string>()).ShouldBe(["word0 ", "word1 ", "word2 ", "word3 ", "word4 "]);
        var final = chunks[^1];
        final["usage"]!["completion_tokens"]!.GetValue<long>().ShouldBe(10);
        final["credits_consumed"]!.GetValue<long>().ShouldBe(1);
        _fixture.Upstream.LastRequest!["stream_options"]!["include_usage"]!.GetValue<bool>().ShouldBeTrue();
        (await _fixture.Host.CreditsOfAsync(key)).ShouldBe((99L, 0L));
    }

    [Fact]
    public async Task Under_five_credits_is_402_and_the_provider_is_never_called()
    {
        var (_, key) = await _fixture.CreateAccountAsync(credits: 4);
        var result = await _fixture.Host.Scenario(s =>
        {
            s.Post.Url("/api/v1/ai/chat");
            s.JsonBody(Body);
            s.WithApiKey(key);
            s.StatusCodeShouldBe(402);
        });
        (await result.ShouldBeError(40001)).ShouldBe("Insufficient credits. Required: 5, available: 4");
        _fixture.Upstream.Calls.ShouldBe(0);
        (await _fixture.Host.CreditsOfAsync(key)).ShouldBe((4L, 0L));
    }

    [Fact]
    public async Task Max_tokens_is_clamped_so_the_worst_case_fits_the_balance()
    {
        var (_, key) = await _fixture.CreateAccountAsync(credits: 6);
        await _fixture.Host.Scenario(s =>
        {
            s.Post.Url("/api/v1/ai/chat");
            s.JsonBody("""{"messages":[{"role":"user","content":"hi"}],"max_tokens":100000}""");
            s.WithApiKey(key);
            s.StatusCodeShouldBe(200);
        });
        // 6 credits pay for (6 × 10,000 − input) / 2 output tokens: just under 30,000.
        var sent = _fixture.Upstream.LastRequest!["max_tokens"]!.GetValue<long>();
        sent.ShouldBeLessThan(30_000);
        sent.ShouldBeGreaterThan(29_900);
    }

    [Fact]
    public async Task An_upstream_500_is_502_with_its_error_and_nothing_is_charged()
    {
        var (_, key) = await _fixture.CreateAccountAsync(credits: 50);
        _fixture.Upstream.Behaviour = FakeOpenAi.Mode.ServerError;
        var result = await _fixture.Host.Scenario(s =>
        {
            s.Post.Url("/api/v1/ai/chat");
            s.JsonBody(Body);
            s.WithApiKey(key);
            s.StatusCodeShouldBe(502);
        });
        var text = await result.ReadAsTextAsync();
        (await result.ShouldBeError(50200)).ShouldContain("nothing was charged");
        JsonNode.Parse(text)!["upstream_error"]!["message"]!.GetValue<string>().ShouldBe("The server had an error");
        (await _fixture.Host.CreditsOfAsync(key)).ShouldBe((50L, 0L));
    }

    [Theory]
    [InlineData(FakeOpenAi.Mode.Slow, 503, 50300)]
    [InlineData(FakeOpenAi.Mode.MalformedAnswer, 502, 50200)] // a number as content, fractional usage: not a 500 with a frozen hold
    public async Task An_upstream_timeout_or_malformed_answer_is_refused_at_once_and_nothing_is_charged(FakeOpenAi.Mode mode, int status, int code)
    {
        var (_, key) = await _fixture.CreateAccountAsync(credits: 50);
        _fixture.Upstream.Behaviour = mode;
        var result = await _fixture.Host.Scenario(s =>
        {
            s.Post.Url("/api/v1/ai/chat");
            s.JsonBody(Body);
            s.WithApiKey(key);
            s.StatusCodeShouldBe(status);
        });
        await result.ShouldBeError(code);
        (await _fixture.Host.CreditsOfAsync(key)).ShouldBe((50L, 0L), "released at once, not frozen until the hold expires");
    }

    [Fact]
    public async Task An_empty_completion_is_502_and_nothing_is_charged()
    {
        var (_, key) = await _fixture.CreateAccountAsync(credits: 50);
        _fixture.Upstream.Behaviour = FakeOpenAi.Mode.Empty;
        var result = await _fixture.Host.Scenario(s =>
        {
            s.Post.Url("/api/v1/ai/chat");
            s.JsonBody(Body);
            s.WithApiKey(key);
            s.StatusCodeShouldBe(502);
        });
        await result.ShouldBeError(50200);
        (await _fixture.Host.CreditsOfAsync(key)).ShouldBe((50L, 0L));
    }

    [Theory]
    [InlineData(FakeOpenAi.Mode.StreamFailsMidway)] // an error event from the provider
    [InlineData(FakeOpenAi.Mode.MalformedAnswer)]   // a chunk that is not JSON
    [InlineData(FakeOpenAi.Mode.StreamDropped)]     // the connection closes: no usage, no [DONE]
    public async Task A_stream_the_provider_fails_mid_way_ends_with_an_error_event_and_bills_only_what_was_generated(FakeOpenAi.Mode mode)
    {
        var (_, key) = await _fixture.CreateAccountAsync(credits: 50);
        _fixture.Upstream.Behaviour = mode;
        var result = await _fixture.Host.Scenario(s =>
        {
            s.Post.Url("/api/v1/ai/chat");
            s.JsonBody("""{"messages":[{"role":"user","content":"go"}],"stream":true}""");
            s.WithApiKey(key);
            s.StatusCodeShouldBe(200);
        });
        var events = Events(await result.ReadAsTextAsync());
        events.ShouldNotContain("[DONE]");
        JsonNode.Parse(events[0])!["content"]!.GetValue<string>().ShouldBe("word0 ");
        var last = JsonNode.Parse(events[^1])!.AsObject();
        last.Select(p => p.Key).Order().ToArray().ShouldBe(new[] { "error_code", "message", "upstream_error" });
        last["error_code"]!.GetValue<int>().ShouldBe(50200);
        last["message"]!.GetValue<string>().ShouldContain("1 credit charged for the");
        (await _fixture.Host.CreditsOfAsync(key)).ShouldBe((49L, 0L), "two chunks were generated: the minimum of 1 credit");
        var record = await UsageRecordAsync(key);
        (record["status"]!.GetValue<string>(), record["credits_consumed"]!.GetValue<long>()).ShouldBe(("upstream_error", 1L), "billed, but not a success");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_client_that_leaves_before_any_output_pays_nothing_and_the_request_is_recorded(bool stream)
    {
        var (_, key) = await _fixture.CreateAccountAsync(credits: 50);
        _fixture.Upstream.Behaviour = FakeOpenAi.Mode.Slow;
        using var client = _fixture.Host.Server.CreateClient();
        using var cancel = new CancellationTokenSource();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/ai/chat")
        {
            Content = new StringContent($$"""{"messages":[{"role":"user","content":"wait"}],"stream":{{(stream ? "true" : "false")}}}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", key);
        var sent = client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        await _fixture.Upstream.ChatCalled.WaitAsync(TimeSpan.FromSeconds(30));
        await cancel.CancelAsync();
        try
        {
            using var answered = await sent;
            throw new InvalidOperationException($"answered {answered.StatusCode}: {await answered.Content.ReadAsStringAsync()}");
        }
        catch (Exception e) when (e is OperationCanceledException or HttpRequestException)
        {
            // The client's own cancellation (the test server reports it as an aborted copy): it left.
        }

        var deadline = Stopwatch.StartNew();
        JsonNode? record = null;
        (long Balance, long Frozen) balance;
        do
        {
            balance = await _fixture.Host.CreditsOfAsync(key);
            record = (await _fixture.GetJsonAsync(key, "/api/v1/ai/usage"))["records"]!.AsArray().SingleOrDefault();
        }
        while ((balance.Frozen != 0 || record is null) && deadline.Elapsed < TimeSpan.FromSeconds(5) && await Pause());

        balance.ShouldBe((50L, 0L));
        record.ShouldNotBeNull("the abandoned request is in the usage history");
        record["status"]!.GetValue<string>().ShouldBe("client_disconnected");
        record["credits_consumed"]!.GetValue<long>().ShouldBe(0);
    }

    [Fact]
    public async Task A_client_that_disconnects_mid_stream_cancels_the_upstream_and_is_billed_within_5_seconds()
    {
        var (_, key) = await _fixture.CreateAccountAsync(credits: 50);
        _fixture.Upstream.StreamChunks = 100;
        _fixture.Upstream.ChunkDelay = TimeSpan.FromMilliseconds(100);

        using var client = _fixture.Host.Server.CreateClient();
        using var cancel = new CancellationTokenSource();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/ai/chat")
        {
            Content = new StringContent("""{"messages":[{"role":"user","content":"long story"}],"stream":true}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", key);
        using (var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token))
        {
            var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancel.Token));
            (await reader.ReadLineAsync(cancel.Token))!.ShouldStartWith("data: {\"content\":\"word0 \"}");
            await cancel.CancelAsync();
        }

        var deadline = Stopwatch.StartNew();
        (long Balance, long Frozen) balance;
        do
        {
            balance = await _fixture.Host.CreditsOfAsync(key);
        }
        while ((balance.Frozen != 0 || _fixture.Upstream.StreamCancelled == 0) && deadline.Elapsed < TimeSpan.FromSeconds(5) && await Pause());

        balance.ShouldBe((49L, 0L), "settled for what was generated before the disconnect");
        (await UsageRecordAsync(key))["status"]!.GetValue<string>().ShouldBe("client_disconnected");
        _fixture.Upstream.StreamCancelled.ShouldBe(1, "the upstream call was cancelled");
        _fixture.Upstream.Calls.ShouldBe(1);
    }

    [Fact]
    public async Task Past_the_rate_limit_is_429_with_headers_costs_nothing_and_reaches_no_provider()
    {
        var (_, key) = await _fixture.CreateAccountAsync(credits: 100);
        await RateWindows.AwayFromABoundaryAsync();
        for (var i = 0; i < 8; i++)
        {
            var ok = await _fixture.Host.Scenario(s =>
            {
                s.Post.Url("/api/v1/ai/chat");
                s.JsonBody(Body);
                s.WithApiKey(key);
                s.StatusCodeShouldBe(200);
            });
            ok.Context.Response.Headers["X-RateLimit-Remaining"].ToString().ShouldBe((7 - i).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var refused = await _fixture.Host.Scenario(s =>
        {
            s.Post.Url("/api/v1/ai/chat");
            s.JsonBody(Body);
            s.WithApiKey(key);
            s.StatusCodeShouldBe(429);
        });
        await refused.ShouldBeError(42900);
        var headers = refused.Context.Response.Headers;
        headers["X-RateLimit-Limit"].ToString().ShouldBe("8");
        headers["X-RateLimit-Remaining"].ToString().ShouldBe("0");
        int.Parse(headers["X-RateLimit-Reset"].ToString(), System.Globalization.CultureInfo.InvariantCulture).ShouldBeInRange(1, 60);
        headers.RetryAfter.ToString().ShouldBe(headers["X-RateLimit-Reset"].ToString());
        _fixture.Upstream.Calls.ShouldBe(8);
        (await _fixture.Host.CreditsOfAsync(key)).ShouldBe((92L, 0L));
    }

    [Theory]
    [InlineData("""{"messages":[]}""", "messages:")]
    [InlineData("""{"messages":[{"role":"wizard","content":"x"}]}""", "messages[0].role:")]
    [InlineData("""{"messages":[null]}""", "messages[0]:")]
    [InlineData("""{"messages":[{"role":"user"}]}""", "messages[0].content: is required (a string, which may be empty)")]
    [InlineData("""{"messages":[{"role":"user","content":"hi"},null]}""", "messages[1]:")]
    [InlineData("""{"messages":[{"role":"user","content":"x"}],"temperature":2.5}""", "temperature:")]
    [InlineData("""{"messages":[{"role":"user","content":"x"}],"max_tokens":0}""", "max_tokens:")]
    public async Task Bad_chat_requests_are_400_naming_the_field_and_reach_no_provider(string body, string field)
    {
        var (_, key) = await _fixture.CreateAccountAsync(credits: 10);
        var result = await _fixture.Host.Scenario(s =>
        {
            s.Post.Url("/api/v1/ai/chat");
            s.JsonBody(body);
            s.WithApiKey(key);
            s.StatusCodeShouldBe(400);
        });
        (await result.ShouldBeError(40000)).ShouldStartWith(field);
        _fixture.Upstream.Calls.ShouldBe(0);
    }

    /// <summary>The key's one usage record, once the Usage module has recorded it (within 5 s).</summary>
    private async Task<JsonNode> UsageRecordAsync(string key)
    {
        var deadline = Stopwatch.StartNew();
        JsonNode? record;
        do
        {
            record = (await _fixture.GetJsonAsync(key, "/api/v1/ai/usage"))["records"]!.AsArray().SingleOrDefault();
        }
        while (record is null && deadline.Elapsed < TimeSpan.FromSeconds(5) && await Pause());

        return record.ShouldNotBeNull();
    }

    private static async Task<bool> Pause()
    {
        // Polling the balance for the promised 5 s window: the settlement happens on the server's
        // side of a dropped connection, so there is no message of ours to await.
        await Task.Delay(50);
        return true;
    }

    private static List<string> Events(string body) =>
        body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e.Trim()["data: ".Length..]).ToList();
}
