using System.Globalization;
using System.Security.Claims;
using FluentValidation;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Stripe;
using Stripe.Checkout;
using Verging.SharedKernel;
using Wolverine.Http;

namespace Verging.Credits.Purchases;

/// <summary>Body of <c>POST /api/v1/credits/checkout</c>: whole dollars or cents, e.g. 10 or 12.50.</summary>
public sealed record CheckoutRequest(decimal AmountUsd);

public sealed record CheckoutSession(string SessionId, string CheckoutUrl, decimal AmountUsd, long Credits);

public sealed class CheckoutRequestValidator : AbstractValidator<CheckoutRequest>
{
    public CheckoutRequestValidator(IOptions<CreditsOptions> options)
    {
        var o = options.Value;
        RuleFor(r => r.AmountUsd)
            .InclusiveBetween(o.MinimumPurchaseUsd, o.MaximumPurchaseUsd)
            .Must(a => decimal.Round(a, 2) == a).WithMessage("must have at most two decimals (cents)");
    }
}

public static class CreateCheckoutEndpoint
{
    /// <summary>
    /// Starts a Stripe Checkout payment for credits at $10 = 530. The account is credited only when
    /// Stripe's signed webhook confirms payment (<see cref="StripeWebhookEndpoint"/>), never here.
    /// </summary>
    [WolverinePost("/api/v1/credits/checkout", Name = "CreateCreditCheckout")]
    [ProducesResponseType<CheckoutSession>(StatusCodes.Status201Created)]
    public static async Task<IResult> Post(CheckoutRequest request, ClaimsPrincipal user, IOptions<CreditsOptions> options, CancellationToken cancellation)
    {
        var settings = options.Value;
        if (string.IsNullOrWhiteSpace(settings.StripeSecretKey))
        {
            return ApiError.ServiceUnavailable("Purchases are not configured on this server (no Stripe secret key); ask the operator to set Credits__StripeSecretKey");
        }

        var caller = Caller.From(user);
        var cents = (long)(request.AmountUsd * 100);
        var credits = CreditMath.CreditsForUsdCents(cents);
        var client = new StripeClient(settings.StripeSecretKey, apiBase: settings.StripeApiBase);
        try
        {
            var session = await new SessionService(client).CreateAsync(new SessionCreateOptions
            {
                Mode = "payment",
                ClientReferenceId = caller.AccountId.ToString(),
                SuccessUrl = settings.CheckoutSuccessUrl,
                CancelUrl = settings.CheckoutCancelUrl,
                Metadata = new Dictionary<string, string>
                {
                    ["account_id"] = caller.AccountId.ToString(),
                    ["credits"] = credits.ToString(CultureInfo.InvariantCulture),
                },
                LineItems =
                [
                    new SessionLineItemOptions
                    {
                        Quantity = 1,
                        PriceData = new SessionLineItemPriceDataOptions
                        {
                            Currency = "usd",
                            UnitAmount = cents,
                            ProductData = new SessionLineItemPriceDataProductDataOptions { Name = $"{credits} Verging credits" },
                        },
                    },
                ],
            }, cancellationToken: cancellation);

            return Results.Json(new CheckoutSession(session.Id, session.Url, request.AmountUsd, credits), statusCode: StatusCodes.Status201Created);
        }
        catch (StripeException e)
        {
            return new ApiError(502, ErrorCodes.BadGateway, "The payment provider refused to create a checkout session",
                System.Text.Json.Nodes.JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(new { type = e.StripeError?.Type, code = e.StripeError?.Code, message = e.StripeError?.Message })));
        }
    }
}
