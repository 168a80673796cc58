using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Verging.IntegrationTests.Infrastructure;

namespace Verging.IntegrationTests.Credits;

[Collection(SharedHostCollection.Name)]
public sealed class StripePurchaseTests(VergingHost fixture)
{
    [Fact]
    public async Task A_paid_checkout_credits_530_per_10_dollars_once_however_often_it_is_delivered()
    {
        var (account, key) = await fixture.CreateAccountAsync();
        var session = $"cs_test_{Guid.NewGuid():N}";

        var first = await Deliver(CheckoutCompleted(session, account, 1000), 200);
        first["outcome"]!.GetValue<string>().ShouldBe("credited");
        first["credited"]!.GetValue<long>().ShouldBe(530);

        // The same event again, and another event for the same session (Stripe retries, async payments).
        var duplicate = await Deliver(CheckoutCompleted(session, account, 1000), 200);
        duplicate["outcome"]!.GetValue<string>().ShouldBe("duplicate");
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Deliver(CheckoutCompleted(session, account, 1000, $"evt_{Guid.NewGuid():N}"), 200)));
        concurrent.ShouldAllBe(r => r["outcome"]!.GetValue<string>() == "duplicate");

        var balance = await (await fixture.Host.Scenario(s => { s.Get.Url("/api/v1/credits"); s.WithApiKey(key); })).Json();
        balance["balance"]!.GetValue<long>().ShouldBe(530);
    }

    [Theory]
    [InlineData(2000, 1060)]
    [InlineData(1250, 662)]
    [InlineData(500, 265)]
    public async Task Other_amounts_convert_at_53_credits_per_dollar(long cents, long credits)
    {
        var (account, _) = await fixture.CreateAccountAsync();
        var receipt = await Deliver(CheckoutCompleted($"cs_test_{Guid.NewGuid():N}", account, cents), 200);
        receipt["credited"]!.GetValue<long>().ShouldBe(credits);
    }

    [Fact]
    public async Task A_bad_or_missing_signature_is_400_and_credits_nothing()
    {
        var (account, key) = await fixture.CreateAccountAsync();
        var payload = CheckoutCompleted($"cs_test_{Guid.NewGuid():N}", account, 1000);

        foreach (var header in new[] { Sign(payload, "whsec_wrong"), "t=1,v1=deadbeef", string.Empty })
        {
            var result = await fixture.Host.Scenario(s =>
            {
                s.Post.Url("/api/v1/webhooks/stripe");
                s.JsonBody(payload);
                s.WithRequestHeader("Stripe-Signature", header);
                s.StatusCodeShouldBe(400);
            });
            (await result.ShouldBeError(40000)).ShouldBe("Invalid Stripe signature");
        }

        // A correctly signed but old event (replayed after the tolerance window) is refused too.
        var old = await fixture.Host.Scenario(s =>
        {
            s.Post.Url("/api/v1/webhooks/stripe");
            s.JsonBody(payload);
            s.WithRequestHeader("Stripe-Signature", Sign(payload, VergingHost.StripeWebhookSecret, DateTimeOffset.UtcNow.AddHours(-1)));
            s.StatusCodeShouldBe(400);
        });
        await old.ShouldBeError(40000);

        var balance = await (await fixture.Host.Scenario(s => { s.Get.Url("/api/v1/credits"); s.WithApiKey(key); })).Json();
        balance["balance"]!.GetValue<long>().ShouldBe(0);
    }

    [Fact]
    public async Task Unpaid_sessions_and_other_event_types_credit_nothing()
    {
        var (account, key) = await fixture.CreateAccountAsync();
        (await Deliver(CheckoutCompleted($"cs_test_{Guid.NewGuid():N}", account, 1000, paymentStatus: "unpaid"), 200))["credited"]!.GetValue<long>().ShouldBe(0);
        var other = CheckoutCompleted($"cs_test_{Guid.NewGuid():N}", account, 1000).Replace("checkout.session.completed", "checkout.session.expired", StringComparison.Ordinal);
        (await Deliver(other, 200))["outcome"]!.GetValue<string>().ShouldBe("ignored");

        var balance = await (await fixture.Host.Scenario(s => { s.Get.Url("/api/v1/credits"); s.WithApiKey(key); })).Json();
        balance["balance"]!.GetValue<long>().ShouldBe(0);
    }

    [Fact]
    public async Task A_session_paid_in_another_currency_credits_nothing()
    {
        // Our sessions are priced in USD; 1050 yen are not $10.50 and must not buy 556 credits.
        var (account, key) = await fixture.CreateAccountAsync();
        var yen = CheckoutCompleted($"cs_test_{Guid.NewGuid():N}", account, 1050).Replace("\"currency\": \"usd\"", "\"currency\": \"jpy\"", StringComparison.Ordinal);
        var receipt = await Deliver(yen, 200);
        receipt["outcome"]!.GetValue<string>().ShouldBe("unsupported currency");
        receipt["credited"]!.GetValue<long>().ShouldBe(0);

        var balance = await (await fixture.Host.Scenario(s => { s.Get.Url("/api/v1/credits"); s.WithApiKey(key); })).Json();
        balance["balance"]!.GetValue<long>().ShouldBe(0);
    }

    [Fact]
    public async Task Checkout_without_a_stripe_key_is_503_and_bad_amounts_are_400()
    {
        var (_, key) = await fixture.CreateAccountAsync();
        var unconfigured = await fixture.Host.Scenario(s =>
        {
            s.Post.Url("/api/v1/credits/checkout");
            s.JsonBody("""{"amount_usd": 10}""");
            s.WithApiKey(key);
            s.StatusCodeShouldBe(503);
        });
        (await unconfigured.ShouldBeError(50300)).ShouldContain("not configured");

        foreach (var body in new[] { """{"amount_usd": 1}""", """{"amount_usd": 10.001}""", """{"amount_usd": 1000000}""", "{}" })
        {
            var bad = await fixture.Host.Scenario(s =>
            {
                s.Post.Url("/api/v1/credits/checkout");
                s.JsonBody(body);
                s.WithApiKey(key);
                s.StatusCodeShouldBe(400);
            });
            (await bad.ShouldBeError(40000)).ShouldStartWith("amount_usd:");
        }
    }

    private async Task<System.Text.Json.Nodes.JsonNode> Deliver(string payload, int status) =>
        await (await fixture.Host.Scenario(s =>
        {
            s.Post.Url("/api/v1/webhooks/stripe");
            s.JsonBody(payload);
            s.WithRequestHeader("Stripe-Signature", Sign(payload, VergingHost.StripeWebhookSecret));
            s.StatusCodeShouldBe(status);
        })).Json();

    /// <summary>Signs like Stripe: "t=&lt;unix&gt;,v1=&lt;hex HMAC-SHA256(secret, "t.payload")&gt;".</summary>
    private static string Sign(string payload, string secret, DateTimeOffset? at = null)
    {
        var timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{payload}"));
        return $"t={timestamp},v1={Convert.ToHexStringLower(mac)}";
    }

    private static string CheckoutCompleted(string sessionId, Guid account, long cents, string? eventId = null, string paymentStatus = "paid") => $$"""
        {
          "id": "{{eventId ?? $"evt_{Guid.NewGuid():N}"}}",
          "object": "event",
          "api_version": "2024-06-20",
          "created": {{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}},
          "type": "checkout.session.completed",
          "livemode": false,
          "data": {
            "object": {
              "id": "{{sessionId}}",
              "object": "checkout.session",
              "client_reference_id": "{{account}}",
              "amount_total": {{cents}},
              "currency": "usd",
              "mode": "payment",
              "payment_status": "{{paymentStatus}}",
              "status": "complete",
              "metadata": { "account_id": "{{account}}" }
            }
          }
        }
        """;
}
