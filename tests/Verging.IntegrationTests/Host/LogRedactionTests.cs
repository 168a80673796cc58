using Marten;
using Verging.Identity.ApiKeys;
using Verging.Identity.Authentication;
using Verging.IntegrationTests.Infrastructure;

namespace Verging.IntegrationTests.Host;

[Collection(SharedHostCollection.Name)]
public sealed class LogRedactionTests(VergingHost fixture)
{
    [Fact]
    public async Task No_api_key_or_admin_token_appears_in_any_log_line_at_any_level()
    {
        var (accountId, key) = await fixture.CreateAccountAsync();
        var secrets = new List<string> { key, VergingHost.AdminToken };

        var created = await (await fixture.Host.Scenario(s =>
        {
            s.Post.Url("/api/v1/api-keys");
            s.JsonBody("""{"name":"logged?"}""");
            s.WithApiKey(key);
            s.StatusCodeShouldBe(201);
        })).Json();
        var second = created["api_key"]!.GetValue<string>();
        secrets.Add(second);

        await fixture.Host.Scenario(s => { s.Get.Url("/api/v1/api-keys"); s.WithApiKey(second); });
        await fixture.Host.Scenario(s => { s.Post.Url("/api/v1/api-keys/validate"); s.WithApiKey(key); });
        await fixture.Host.Scenario(s =>
        {
            s.Delete.Url($"/api/v1/api-keys/{created["id"]!.GetValue<Guid>()}");
            s.WithApiKey(key);
        });
        await fixture.Host.Scenario(s => { s.Get.Url("/api/v1/api-keys"); s.WithApiKey(second); s.StatusCodeShouldBe(401); });

        var unknown = ApiKeyFormat.Generate();
        secrets.Add(unknown);
        await fixture.Host.Scenario(s => { s.Get.Url("/api/v1/api-keys"); s.WithApiKey(unknown); s.StatusCodeShouldBe(401); });
        await fixture.Host.Scenario(s => { s.Post.Url("/api/v1/api-keys"); s.JsonBody("{bad json"); s.WithApiKey(key); s.StatusCodeShouldBe(400); });
        await fixture.Host.Scenario(s => { s.Get.Url("/no/route"); s.WithApiKey(key); s.StatusCodeShouldBe(404); });
        await fixture.Service<LastUsedFlusher>().FlushAsync(CancellationToken.None);

        fixture.Logs.Lines.Count.ShouldBeGreaterThan(0, "the capture works");
        foreach (var line in fixture.Logs.Lines)
        {
            foreach (var secret in secrets)
            {
                line.ShouldNotContain(secret);
                line.ShouldNotContain(secret[7..]);
            }

            line.ShouldNotContain("ApiKey vrg_sk_");
        }

        await using var session = fixture.Service<IDocumentStore>().QuerySession();
        (await session.Query<ApiKey>().CountAsync(k => k.AccountId == accountId)).ShouldBe(2);
    }
}
