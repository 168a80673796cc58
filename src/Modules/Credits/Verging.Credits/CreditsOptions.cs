namespace Verging.Credits;

/// <summary>Settings of the Credits module that are not ledger rules (configuration section <c>Credits</c>).</summary>
public sealed class CreditsOptions
{
    /// <summary>Stripe secret key (sk_...): checkout is 503 without it.</summary>
    public string? StripeSecretKey { get; set; }

    /// <summary>Stripe API base URL; only tests and proxies change it.</summary>
    public string StripeApiBase { get; set; } = "https://api.stripe.com";

    /// <summary>Stripe webhook signing secret (whsec_...): the webhook refuses everything without it.</summary>
    public string? StripeWebhookSecret { get; set; }

    /// <summary>Where Stripe sends the buyer back after paying or cancelling.</summary>
    public string CheckoutSuccessUrl { get; set; } = "http://127.0.0.1:5080/docs";

    public string CheckoutCancelUrl { get; set; } = "http://127.0.0.1:5080/docs";

    /// <summary>Smallest and largest purchase, in whole US dollars.</summary>
    public int MinimumPurchaseUsd { get; set; } = 5;

    public int MaximumPurchaseUsd { get; set; } = 10_000;
}
