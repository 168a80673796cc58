using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stripe;
using Stripe.Checkout;
using Verging.Credits.Ledger;
using Verging.Credits.Writer;
using Verging.SharedKernel;
using Wolverine.Http;

namespace Verging.Credits.Purchases;

public sealed record WebhookReceipt(bool Received, string Outcome, long Credited);

public static class StripeWebhookEndpoint
{
    /// <summary>
    /// Stripe's webhook. The signature (Stripe-Signature, HMAC-SHA256 with the webhook secret, 5 min
    /// tolerance) is checked before anything is read; a paid checkout session credits its account once
    /// — keyed by the session id, so a replayed or duplicated event is a no-op answered 200.
    /// Anonymous by design (Stripe holds no API key); the signature is the authentication.
    /// </summary>
    [WolverinePost("/api/v1/webhooks/stripe", Name = "StripeWebhook")]
    public static async Task<IResult> Post(
        HttpRequest request, IOptions<CreditsOptions> options, IQuerySession session, LedgerWriter writer, ILogger<LedgerWriter> logger)
    {
        var secret = options.Value.StripeWebhookSecret;
        if (string.IsNullOrWhiteSpace(secret))
        {
            return ApiError.ServiceUnavailable("Stripe webhooks are not configured on this server");
        }

        using var reader = new StreamReader(request.Body);
        var payload = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
        Event stripeEvent;
        try
        {
            stripeEvent = EventUtility.ConstructEvent(payload, request.Headers["Stripe-Signature"], secret, throwOnApiVersionMismatch: false);
        }
        catch (StripeException)
        {
            return ApiError.BadRequest("Invalid Stripe signature");
        }

        if (stripeEvent.Type is not ("checkout.session.completed" or "checkout.session.async_payment_succeeded")
            || stripeEvent.Data.Object is not Session checkout)
        {
            return Results.Json(new WebhookReceipt(true, "ignored", 0));
        }

        if (checkout.PaymentStatus != "paid")
        {
            return Results.Json(new WebhookReceipt(true, "not paid yet", 0));
        }

        if (!Guid.TryParse(checkout.ClientReferenceId, out var accountId) || await session.LoadAsync<Ledger.Ledger>(accountId) is null)
        {
            // Money arrived for no account we know: keep the event visible to operators, but do not
            // make Stripe retry for days: retrying cannot fix it.
            logger.LogError("Paid Stripe checkout session {SessionId} names no known account", checkout.Id);
            return Results.Json(new WebhookReceipt(true, "unknown account", 0));
        }

        if (!string.Equals(checkout.Currency, "usd", StringComparison.OrdinalIgnoreCase))
        {
            // Our sessions are priced in USD (CreateCheckout): an amount in another currency is not cents of a
            // dollar, and converting it is not this endpoint's job. Visible to operators; Stripe need not retry.
            logger.LogError("Paid Stripe checkout session {SessionId} is in {Currency}, not usd; nothing credited", checkout.Id, checkout.Currency);
            return Results.Json(new WebhookReceipt(true, "unsupported currency", 0));
        }

        var cents = checkout.AmountTotal ?? 0;
        var credits = SharedKernel.CreditMath.CreditsForUsdCents(cents);
        if (credits < 1)
        {
            return Results.Json(new WebhookReceipt(true, "amount buys no credits", 0));
        }
        var outcome = await writer.SubmitAsync<LedgerOperationOutcome>(accountId,
            new PurchaseCredits(accountId, credits, cents, $"stripe:{checkout.Id}"));
        return Results.Json(new WebhookReceipt(true, outcome.Repeated ? "duplicate" : "credited", outcome.Repeated ? 0 : credits));
    }
}
