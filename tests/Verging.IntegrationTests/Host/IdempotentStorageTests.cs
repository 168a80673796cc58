using System.Text;
using Npgsql;
using Verging.IntegrationTests.Infrastructure;

namespace Verging.IntegrationTests.Host;

/// <summary>What the idempotency table keeps cannot be read without the client's key: a new API key's secret is not in it.</summary>
[Collection(SharedHostCollection.Name)]
public sealed class IdempotentStorageTests(VergingHost fixture)
{
    [Fact]
    public async Task A_new_api_key_created_under_an_idempotency_key_is_replayed_but_not_stored_readable()
    {
        var (_, key) = await fixture.CreateAccountAsync();
        var idempotencyKey = $"create-{Guid.NewGuid()}";
        var first = await (await CreateKeyAsync(key, idempotencyKey)).Json();
        var secret = first["api_key"]!.GetValue<string>();
        secret.ShouldStartWith("vrg_sk_");

        var replay = await CreateKeyAsync(key, idempotencyKey);
        replay.Context.Response.Headers["Idempotent-Replayed"].ToString().ShouldBe("true");
        (await replay.Json())["api_key"]!.GetValue<string>().ShouldBe(secret);

        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select idempotency_key, body from platform.idempotency_keys where completed", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = 0;
        while (await reader.ReadAsync())
        {
            rows++;
            reader.GetString(0).ShouldNotContain(idempotencyKey);
            var body = reader.IsDBNull(1) ? [] : (byte[])reader[1];
            Encoding.UTF8.GetString(body).ShouldNotContain("vrg_sk_");
            Encoding.UTF8.GetString(body).ShouldNotContain("\"name\"");
        }

        rows.ShouldBeGreaterThan(0);
    }

    private Task<Alba.IScenarioResult> CreateKeyAsync(string apiKey, string idempotencyKey) =>
        fixture.Host.Scenario(s =>
        {
            s.Post.Url("/api/v1/api-keys");
            s.JsonBody("""{"name":"ci server"}""");
            s.WithApiKey(apiKey);
            s.WithRequestHeader("Idempotency-Key", idempotencyKey);
            s.StatusCodeShouldBe(201);
        });
}
