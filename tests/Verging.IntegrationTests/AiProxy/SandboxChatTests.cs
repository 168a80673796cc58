using System.Text.Json.Nodes;
using Verging.IntegrationTests.Infrastructure;

namespace Verging.IntegrationTests.AiProxy;

[Collection(SharedHostCollection.Name)]
public sealed class SandboxChatTests(VergingHost fixture)
{
    [Fact]
    public async Task The_sandbox_answers_honestly_with_real_token_counts_and_bills_them()
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 20);
        var json = await (await fixture.Host.Scenario(s =>
        {
            s.Post.Url("/api/v1/ai/chat");
            s.JsonBody("""{"messages":[{"role":"user","content":"Hello there, sandbox!"}]}""");
            s.WithApiKey(key);
            s.StatusCodeShouldBe(200);
        })).Json();

        json["model"]!.GetValue<string>().ShouldBe("sandbox-gpt-4o");
        json["content"]!.GetValue<string>().ShouldStartWith("[Verging sandbox: no AI model was called.]");
        json["content"]!.GetValue<string>().ShouldContain("Hello there, sandbox!");
        // Counted with o200k like OpenAI: the message's tokens + 3 per message + the role + 3 priming.
        var counter = new Verging.AiProxy.Providers.TokenCounter();
        json["usage"]!["prompt_tokens"]!.GetValue<long>().ShouldBe(3 + counter.Count("user") + counter.Count("Hello there, sandbox!") + 3);
        json["usage"]!["completion_tokens"]!.GetValue<long>().ShouldBeGreaterThan(20);
        json["credits_consumed"]!.GetValue<long>().ShouldBe(1);

        var streamed = await (await fixture.Host.Scenario(s =>
        {
            s.Post.Url("/api/v1/ai/chat");
            s.JsonBody("""{"messages":[{"role":"user","content":"Hello there, sandbox!"}],"stream":true,"max_tokens":5}""");
            s.WithApiKey(key);
        })).ReadAsTextAsync();
        var events = streamed.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e.Trim()[6..]).ToList();
        events[^1].ShouldBe("[DONE]");
        events.Count.ShouldBe(7, "max_tokens 5: five content chunks, the final usage chunk, [DONE]");
        JsonNode.Parse(events[^2])!["usage"]!["completion_tokens"]!.GetValue<long>().ShouldBe(5);

        var balance = await (await fixture.Host.Scenario(s => { s.Get.Url("/api/v1/credits"); s.WithApiKey(key); })).Json();
        balance["balance"]!.GetValue<long>().ShouldBe(18);
    }
}
