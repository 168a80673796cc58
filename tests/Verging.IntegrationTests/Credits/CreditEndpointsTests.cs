using System.Text.Json.Nodes;
using Marten;
using Marten.Events;
using Verging.Credits.Contracts;
using Verging.IntegrationTests.Infrastructure;

namespace Verging.IntegrationTests.Credits;

[Collection(SharedHostCollection.Name)]
public sealed class CreditEndpointsTests(VergingHost fixture)
{
    [Fact]
    public async Task Transactions_list_every_movement_newest_first_with_running_balances()
    {
        var (account, key) = await fixture.CreateAccountAsync(credits: 100);
        var reservation = Guid.CreateVersion7();
        await fixture.InvokeAsync<FreezeOutcome>(new FreezeCredits(account, reservation, 10, "chat"));
        await fixture.InvokeAsync<ReservationOutcome>(new SettleCredits(account, reservation, 3));
        var second = Guid.CreateVersion7();
        await fixture.InvokeAsync<FreezeOutcome>(new FreezeCredits(account, second, 5, "tts"));
        await fixture.InvokeAsync<ReservationOutcome>(new ReleaseCredits(account, second, "upstream failed"));

        var page = await Get(key, "/api/v1/credits/transactions");
        page["total"]!.GetValue<long>().ShouldBe(5);
        page["page"]!.GetValue<int>().ShouldBe(1);
        page["page_size"]!.GetValue<int>().ShouldBe(20);
        var rows = page["transactions"]!.AsArray();
        rows.Select(r => r!["type"]!.GetValue<string>()).ToArray().ShouldBe(new[] { "release", "freeze", "settle", "freeze", "grant" });
        rows.Select(r => r!["balance_after"]!.GetValue<long>()).ToArray().ShouldBe(new long[] { 97, 97, 97, 100, 100 });
        rows.Select(r => r!["available_after"]!.GetValue<long>()).ToArray().ShouldBe(new long[] { 97, 92, 97, 90, 100 });
        rows[2]!["amount"]!.GetValue<long>().ShouldBe(-3);
        rows[2]!["reservation_id"]!.GetValue<Guid>().ShouldBe(reservation);
        rows[2]!["purpose"]!.GetValue<string>().ShouldBe("chat");
        rows[0]!["reason"]!.GetValue<string>().ShouldBe("upstream failed");

        var freezes = await Get(key, "/api/v1/credits/transactions?type=freeze&page_size=1&page=2");
        freezes["total"]!.GetValue<long>().ShouldBe(2);
        freezes["transactions"]!.AsArray().Single()!["purpose"]!.GetValue<string>().ShouldBe("chat");

        var future = await Get(key, $"/api/v1/credits/transactions?from={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(5).ToString("O"))}");
        future["total"]!.GetValue<long>().ShouldBe(0);
    }

    [Theory]
    [InlineData("page=0", "page:")]
    [InlineData("page_size=101", "page_size:")]
    [InlineData("page_size=abc", "page_size:")]
    [InlineData("type=bonus", "type:")]
    [InlineData("from=yesterday", "from:")]
    public async Task Bad_transaction_queries_are_400_naming_the_parameter(string query, string field)
    {
        var (_, key) = await fixture.CreateAccountAsync();
        var result = await fixture.Host.Scenario(s =>
        {
            s.Get.Url($"/api/v1/credits/transactions?{query}");
            s.WithApiKey(key);
            s.StatusCodeShouldBe(400);
        });
        (await result.ShouldBeError(40000)).ShouldStartWith(field);
    }

    [Fact]
    public async Task History_replays_the_ledger_as_it_was_at_an_instant()
    {
        var (account, key) = await fixture.CreateAccountAsync(credits: 50);
        var store = fixture.Service<IDocumentStore>();
        var afterOpening = await LastEventTime(store, account);
        var reservation = Guid.CreateVersion7();
        await fixture.InvokeAsync<FreezeOutcome>(new FreezeCredits(account, reservation, 20, "imagegen"));
        var afterFreeze = await LastEventTime(store, account);
        await fixture.InvokeAsync<ReservationOutcome>(new SettleCredits(account, reservation, 15));

        var before = await Get(key, $"/api/v1/credits/history?as_of={Uri.EscapeDataString(afterOpening.AddTicks(1).ToString("O"))}");
        (before["balance"]!.GetValue<long>(), before["frozen"]!.GetValue<long>()).ShouldBe((50L, 0L));
        var during = await Get(key, $"/api/v1/credits/history?as_of={Uri.EscapeDataString(afterFreeze.AddTicks(1).ToString("O"))}");
        (during["balance"]!.GetValue<long>(), during["frozen"]!.GetValue<long>(), during["available"]!.GetValue<long>()).ShouldBe((50L, 20L, 30L));
        var now = await Get(key, $"/api/v1/credits/history?as_of={Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O"))}");
        (now["balance"]!.GetValue<long>(), now["frozen"]!.GetValue<long>()).ShouldBe((35L, 0L));
        var ancient = await Get(key, "/api/v1/credits/history?as_of=2001-01-01T00:00:00Z");
        ancient["balance"]!.GetValue<long>().ShouldBe(0);

        foreach (var bad in new[] { string.Empty, "?as_of=soon", $"?as_of={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(1).ToString("O"))}" })
        {
            var result = await fixture.Host.Scenario(s => { s.Get.Url($"/api/v1/credits/history{bad}"); s.WithApiKey(key); s.StatusCodeShouldBe(400); });
            (await result.ShouldBeError(40000)).ShouldStartWith("as_of:");
        }
    }

    [Fact]
    public async Task Admin_grants_are_idempotent_with_a_key_and_unknown_accounts_are_404()
    {
        var (account, key) = await fixture.CreateAccountAsync(credits: 10);
        var first = await Admin($"/admin/v1/accounts/{account}/grants", """{"credits": 25, "reason": "support goodwill"}""", 201, "grant-1");
        first["balance"]!.GetValue<long>().ShouldBe(35);
        // The retry is answered with the first response, replayed (Idempotency-Key), and grants nothing.
        var again = await Admin($"/admin/v1/accounts/{account}/grants", """{"credits": 25, "reason": "support goodwill"}""", 201, "grant-1");
        again.ToJsonString().ShouldBe(first.ToJsonString());
        (await Get(key, "/api/v1/credits"))["balance"]!.GetValue<long>().ShouldBe(35);

        var adjusted = await Admin($"/admin/v1/accounts/{account}/adjustments", """{"credits": -100, "reason": "chargeback"}""", 201);
        adjusted["applied"]!.GetValue<long>().ShouldBe(-35, "a negative correction never takes more than is available");
        adjusted["available"]!.GetValue<long>().ShouldBe(0);

        var balance = await Get(key, "/api/v1/credits");
        balance["balance"]!.GetValue<long>().ShouldBe(0);

        var missing = await fixture.Host.Scenario(s =>
        {
            s.Post.Url($"/admin/v1/accounts/{Guid.NewGuid()}/grants");
            s.JsonBody("""{"credits": 5, "reason": "x"}""");
            s.WithRequestHeader("Authorization", $"Bearer {VergingHost.AdminToken}");
            s.StatusCodeShouldBe(404);
        });
        await missing.ShouldBeError(40400);

        var invalid = await fixture.Host.Scenario(s =>
        {
            s.Post.Url($"/admin/v1/accounts/{account}/grants");
            s.JsonBody("""{"credits": 0}""");
            s.WithRequestHeader("Authorization", $"Bearer {VergingHost.AdminToken}");
            s.StatusCodeShouldBe(400);
        });
        (await invalid.ShouldBeError(40000)).ShouldContain("credits:");

        // PostgreSQL cannot store NUL: refused as a 400 naming the field, not a 500 from the database.
        foreach (var route in new[] { "grants", "adjustments" })
        {
            var nul = await fixture.Host.Scenario(s =>
            {
                s.Post.Url($"/admin/v1/accounts/{account}/{route}");
                s.JsonBody("""{"credits": 5, "reason": "a\u0000b"}""");
                s.WithRequestHeader("Authorization", $"Bearer {VergingHost.AdminToken}");
                s.StatusCodeShouldBe(400);
            });
            (await nul.ShouldBeError(40000)).ShouldStartWith("reason: must not contain control characters");
        }
    }

    [Fact]
    public async Task One_account_never_sees_another_accounts_credits()
    {
        var (_, rich) = await fixture.CreateAccountAsync(credits: 999);
        var (_, poor) = await fixture.CreateAccountAsync();
        (await Get(poor, "/api/v1/credits"))["balance"]!.GetValue<long>().ShouldBe(0);
        (await Get(rich, "/api/v1/credits"))["balance"]!.GetValue<long>().ShouldBe(999);
        (await Get(poor, "/api/v1/credits/transactions"))["total"]!.GetValue<long>().ShouldBe(0);
    }

    private static async Task<DateTimeOffset> LastEventTime(IDocumentStore store, Guid account)
    {
        await using var session = store.QuerySession();
        var events = await session.Events.FetchStreamAsync(account);
        return events[^1].Timestamp;
    }

    private async Task<JsonNode> Get(string key, string url) =>
        await (await fixture.Host.Scenario(s =>
        {
            s.Get.Url(url);
            s.WithApiKey(key);
            s.StatusCodeShouldBe(200);
        })).Json();

    private async Task<JsonNode> Admin(string url, string body, int status, string? idempotencyKey = null) =>
        await (await fixture.Host.Scenario(s =>
        {
            s.Post.Url(url);
            s.JsonBody(body);
            s.WithRequestHeader("Authorization", $"Bearer {VergingHost.AdminToken}");
            if (idempotencyKey is not null)
            {
                s.WithRequestHeader("Idempotency-Key", idempotencyKey);
            }

            s.StatusCodeShouldBe(status);
        })).Json();
}
