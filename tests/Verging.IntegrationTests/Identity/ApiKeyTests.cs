using System.Text.Json.Nodes;
using Marten;
using Verging.Identity.ApiKeys;
using Verging.Identity.Authentication;
using Verging.IntegrationTests.Infrastructure;

namespace Verging.IntegrationTests.Identity;

[Collection(SharedHostCollection.Name)]
public sealed class ApiKeyTests(VergingHost fixture)
{
    private Alba.IAlbaHost Host => fixture.Host;

    [Fact]
    public async Task A_new_account_key_has_the_documented_format_and_validates()
    {
        var (accountId, key) = await fixture.CreateAccountAsync();
        key.ShouldStartWith("vrg_sk_");
        key.Length.ShouldBe(ApiKeyFormat.TotalLength);

        var result = await Host.Scenario(s =>
        {
            s.Post.Url("/api/v1/api-keys/validate");
            s.WithApiKey(key);
            s.StatusCodeShouldBe(200);
        });
        var json = await result.Json();
        json["valid"]!.GetValue<bool>().ShouldBeTrue();
        json["account_id"]!.GetValue<Guid>().ShouldBe(accountId);
        json["status"]!.GetValue<string>().ShouldBe("active");
        json["key_id"]!.GetValue<Guid>().ShouldNotBe(Guid.Empty);
    }

    [Fact]
    public async Task A_created_key_is_shown_once_and_never_again()
    {
        var (_, key) = await fixture.CreateAccountAsync();
        var created = await (await Host.Scenario(s =>
        {
            s.Post.Url("/api/v1/api-keys");
            s.JsonBody("""{"name":"ci server"}""");
            s.WithApiKey(key);
            s.StatusCodeShouldBe(201);
        })).Json();
        var newKey = created["api_key"]!.GetValue<string>();
        ApiKeyFormat.IsWellFormed(newKey).ShouldBeTrue();
        created["name"]!.GetValue<string>().ShouldBe("ci server");
        created["prefix"]!.GetValue<string>().ShouldBe(newKey[..11] + "…");

        var listText = await (await Host.Scenario(s =>
        {
            s.Get.Url("/api/v1/api-keys");
            s.WithApiKey(newKey);
            s.StatusCodeShouldBe(200);
        })).ReadAsTextAsync();

        foreach (var secret in new[] { key, newKey })
        {
            listText.ShouldNotContain(secret);
            listText.ShouldNotContain(ApiKeyFormat.Hash(secret));
            listText.ShouldNotContain(secret[7..]);
        }

        var keys = JsonNode.Parse(listText)!["api_keys"]!.AsArray();
        keys.Count.ShouldBe(2);
        keys.Select(k => k!["name"]!.GetValue<string>()).ToArray().ShouldBe(new[] { "ci server", "default" });
        foreach (var listed in keys)
        {
            listed!.AsObject().Select(p => p.Key).Order().ToArray()
                .ShouldBe(new[] { "created_at", "expires_at", "id", "last_used_at", "name", "prefix", "status" });
            listed["prefix"]!.GetValue<string>().ShouldMatch("^vrg_sk_[0-9A-Za-z]{4}…$");
        }
    }

    [Fact]
    public async Task A_revoked_key_is_refused_on_the_very_next_request()
    {
        var (_, key) = await fixture.CreateAccountAsync();
        var second = await CreateKeyAsync(key);
        var secondId = await KeyIdAsync(second);

        // Used once, so it sits in the validation cache when it is revoked.
        await ListAsync(second, 200);

        var revoked = await (await Host.Scenario(s =>
        {
            s.Delete.Url($"/api/v1/api-keys/{secondId}");
            s.WithApiKey(key);
            s.StatusCodeShouldBe(200);
        })).Json();
        revoked["status"]!.GetValue<string>().ShouldBe("revoked");

        var refused = await ListAsync(second, 401);
        (await refused.ShouldBeError(40100)).ShouldContain("revoked");

        // Revoking again is a no-op returning the first revocation.
        var again = await (await Host.Scenario(s =>
        {
            s.Delete.Url($"/api/v1/api-keys/{secondId}");
            s.WithApiKey(key);
            s.StatusCodeShouldBe(200);
        })).Json();
        again["revoked_at"]!.GetValue<DateTimeOffset>().ShouldBe(revoked["revoked_at"]!.GetValue<DateTimeOffset>());

        // Gone from the list, but still there with include_revoked.
        var list = await (await ListAsync(key, 200)).Json();
        list["api_keys"]!.AsArray().Select(k => k!["id"]!.GetValue<Guid>()).ShouldNotContain(secondId);
        var all = await (await Host.Scenario(s =>
        {
            s.Get.Url("/api/v1/api-keys?include_revoked=true");
            s.WithApiKey(key);
        })).Json();
        all["api_keys"]!.AsArray().Single(k => k!["id"]!.GetValue<Guid>() == secondId)!["status"]!.GetValue<string>().ShouldBe("revoked");
    }

    [Fact]
    public async Task An_unparseable_include_revoked_is_a_400_naming_it_not_a_silent_false()
    {
        var (_, key) = await fixture.CreateAccountAsync();

        var result = await Host.Scenario(s =>
        {
            s.Get.Url("/api/v1/api-keys?include_revoked=yes");
            s.WithApiKey(key);
            s.StatusCodeShouldBe(400);
        });

        (await result.ShouldBeError(40000)).ShouldContain("include_revoked");
    }

    [Fact]
    public async Task Deleting_another_accounts_key_is_404_and_the_key_keeps_working()
    {
        var (_, victim) = await fixture.CreateAccountAsync();
        var (_, attacker) = await fixture.CreateAccountAsync();
        var victimKeyId = await KeyIdAsync(victim);

        var result = await Host.Scenario(s =>
        {
            s.Delete.Url($"/api/v1/api-keys/{victimKeyId}");
            s.WithApiKey(attacker);
            s.StatusCodeShouldBe(404);
        });
        await result.ShouldBeError(40400);

        var unknown = await Host.Scenario(s =>
        {
            s.Delete.Url($"/api/v1/api-keys/{Guid.NewGuid()}");
            s.WithApiKey(attacker);
            s.StatusCodeShouldBe(404);
        });
        (await unknown.ShouldBeError(40400)).ShouldStartWith("API key ");

        await ListAsync(victim, 200);
    }

    [Fact]
    public async Task Deleting_an_id_that_is_not_a_uuid_is_404_naming_it()
    {
        var (_, key) = await fixture.CreateAccountAsync();
        var result = await Host.Scenario(s =>
        {
            s.Delete.Url("/api/v1/api-keys/abc");
            s.WithApiKey(key);
            s.StatusCodeShouldBe(404);
        });
        (await result.ShouldBeError(40400)).ShouldBe("API key abc not found");
    }

    [Fact]
    public async Task Concurrent_creations_never_take_an_account_past_the_active_key_limit()
    {
        var (accountId, key) = await fixture.CreateAccountAsync();
        await using (var session = fixture.Service<IDocumentStore>().LightweightSession())
        {
            // The default key and 46 more: room for three.
            for (var i = 0; i < CreateApiKeyEndpoint.MaxActiveKeysPerAccount - 4; i++)
            {
                session.Store(IssueApiKey.For(accountId, $"k{i}", DateTimeOffset.UtcNow, null).Stored);
            }

            await session.SaveChangesAsync();
        }

        var statuses = await Task.WhenAll(Enumerable.Range(0, 12).Select(async _ =>
            (await Host.Scenario(s => { s.Post.Url("/api/v1/api-keys"); s.JsonBody("{}"); s.WithApiKey(key); s.IgnoreStatusCode(); }))
                .Context.Response.StatusCode));

        statuses.Count(s => s == 201).ShouldBe(3);
        statuses.Count(s => s == 409).ShouldBe(9);
        await using var query = fixture.Service<IDocumentStore>().QuerySession();
        (await query.Query<ApiKey>().CountAsync(k => k.AccountId == accountId && k.RevokedAt == null)).ShouldBe(CreateApiKeyEndpoint.MaxActiveKeysPerAccount);
    }

    [Fact]
    public async Task Expired_keys_do_not_count_toward_the_active_key_limit()
    {
        var (accountId, key) = await fixture.CreateAccountAsync();
        var now = DateTimeOffset.UtcNow;
        await using (var session = fixture.Service<IDocumentStore>().LightweightSession())
        {
            // The default key and 48 more are active (49 of 50), and one more has expired.
            for (var i = 0; i < CreateApiKeyEndpoint.MaxActiveKeysPerAccount - 2; i++)
            {
                session.Store(IssueApiKey.For(accountId, $"k{i}", now, null).Stored);
            }

            session.Store(IssueApiKey.For(accountId, "expired", now.AddHours(-2), now.AddHours(-1)).Stored);
            await session.SaveChangesAsync();
        }

        // The 50th active key may be created; the 51st may not.
        await Host.Scenario(s => { s.Post.Url("/api/v1/api-keys"); s.JsonBody("{}"); s.WithApiKey(key); s.StatusCodeShouldBe(201); });
        await Host.Scenario(s => { s.Post.Url("/api/v1/api-keys"); s.JsonBody("{}"); s.WithApiKey(key); s.StatusCodeShouldBe(409); });
    }

    [Fact]
    public async Task Creating_a_key_with_no_body_at_all_uses_the_defaults()
    {
        // Every field is optional, so a POST with no body and no Content-Type must work: HttpClient sends
        // Content-Length: 0; curl -X POST sends no length at all, which Kestrel reports as a request without a body.
        var (_, key) = await fixture.CreateAccountAsync();
        var created = await (await Host.Scenario(s =>
        {
            s.Post.Url("/api/v1/api-keys");
            s.WithRequestHeader("Content-Length", "0");
            s.WithApiKey(key);
            s.StatusCodeShouldBe(201);
        })).Json();
        ApiKeyFormat.IsWellFormed(created["api_key"]!.GetValue<string>()).ShouldBeTrue();
        created["name"]!.GetValue<string>().ShouldStartWith("key-");
        created["expires_at"].ShouldBeNull();
    }

    [Theory]
    [InlineData(null, "Missing API key")]
    [InlineData("ApiKey", "Missing API key")]
    [InlineData("ApiKey   ", "Missing API key")]
    [InlineData("Bearer vrg_sk_abc", "Unsupported authorization scheme")]
    [InlineData("ApiKey vrg_sk_short", "Invalid API key format")]
    [InlineData("ApiKey sk_live_0123456789012345678901234567890123456789012345678", "Invalid API key format")]
    public async Task Missing_or_malformed_keys_are_401_in_the_error_format(string? header, string message)
    {
        var result = await Host.Scenario(s =>
        {
            s.Get.Url("/api/v1/api-keys");
            if (header is not null)
            {
                s.WithRequestHeader("Authorization", header);
            }

            s.StatusCodeShouldBe(401);
        });
        (await result.ShouldBeError(40100)).ShouldStartWith(message);
    }

    [Fact]
    public async Task A_key_with_a_broken_checksum_or_unknown_to_us_is_401()
    {
        var (_, key) = await fixture.CreateAccountAsync();
        var flipped = key[..^1] + (key[^1] == 'a' ? 'b' : 'a');
        (await (await ListAsync(flipped, 401)).ShouldBeError(40100)).ShouldBe("Invalid API key format");

        var unknown = ApiKeyFormat.Generate();
        (await (await ListAsync(unknown, 401)).ShouldBeError(40100)).ShouldBe("Invalid API key");
    }

    [Fact]
    public async Task An_expired_key_is_401()
    {
        var (accountId, _) = await fixture.CreateAccountAsync();
        var now = DateTimeOffset.UtcNow;
        var (plain, stored) = IssueApiKey.For(accountId, "short-lived", now.AddHours(-2), now.AddHours(-1));
        await using (var session = fixture.Service<IDocumentStore>().LightweightSession())
        {
            session.Store(stored);
            await session.SaveChangesAsync();
        }

        (await (await ListAsync(plain, 401)).ShouldBeError(40100)).ShouldBe("API key has expired");
    }

    [Theory]
    [InlineData("""{"name":"x","expires_at":"2001-01-01T00:00:00Z"}""", "expires_at")]
    [InlineData("""{"name":"0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789x"}""", "name")]
    [InlineData("""{"name":"a\u0000b"}""", "name")]
    [InlineData("""{"name":"line\nbreak"}""", "name")]
    public async Task Bad_key_requests_are_400_naming_the_field(string body, string field)
    {
        var (_, key) = await fixture.CreateAccountAsync();
        var result = await Host.Scenario(s =>
        {
            s.Post.Url("/api/v1/api-keys");
            s.JsonBody(body);
            s.WithApiKey(key);
            s.StatusCodeShouldBe(400);
        });
        (await result.ShouldBeError(40000)).ShouldStartWith(field + ":");
    }

    [Fact]
    public async Task Last_used_at_follows_use_without_a_write_per_request()
    {
        var (_, key) = await fixture.CreateAccountAsync();
        var keyId = await KeyIdAsync(key);
        await ListAsync(key, 200);

        var listed = (await (await ListAsync(key, 200)).Json())["api_keys"]!.AsArray().Single()!;
        listed["last_used_at"].ShouldNotBeNull("the unflushed use is shown");

        await using (var session = fixture.Service<IDocumentStore>().QuerySession())
        {
            (await session.LoadAsync<ApiKey>(keyId))!.LastUsedAt.ShouldBeNull("nothing written per request");
        }

        await fixture.Service<LastUsedFlusher>().FlushAsync(CancellationToken.None);
        await using (var session = fixture.Service<IDocumentStore>().QuerySession())
        {
            (await session.LoadAsync<ApiKey>(keyId))!.LastUsedAt.ShouldNotBeNull();
        }
    }

    private async Task<string> CreateKeyAsync(string key)
    {
        var created = await (await Host.Scenario(s =>
        {
            s.Post.Url("/api/v1/api-keys");
            s.JsonBody("{}");
            s.WithApiKey(key);
            s.StatusCodeShouldBe(201);
        })).Json();
        return created["api_key"]!.GetValue<string>();
    }

    private async Task<Guid> KeyIdAsync(string key) =>
        (await (await Host.Scenario(s =>
        {
            s.Post.Url("/api/v1/api-keys/validate");
            s.WithApiKey(key);
        })).Json())["key_id"]!.GetValue<Guid>();

    private Task<Alba.IScenarioResult> ListAsync(string key, int status) =>
        Host.Scenario(s =>
        {
            s.Get.Url("/api/v1/api-keys");
            s.WithApiKey(key);
            s.StatusCodeShouldBe(status);
        });
}
