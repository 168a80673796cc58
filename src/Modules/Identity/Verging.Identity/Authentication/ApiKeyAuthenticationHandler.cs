using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Verging.SharedKernel;

namespace Verging.Identity.Authentication;

/// <summary>
/// The <c>Authorization: ApiKey vrg_sk_…</c> scheme. A refusal is a 401 in the public error format,
/// with a message that says what is wrong but never echoes the key.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyValidator validator) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    private const string FailureItem = "verging.auth_failure";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString().Trim();
        // "ApiKey" with nothing after it (an empty variable in a script) is a missing key, not another scheme.
        if (string.IsNullOrEmpty(header) || header.Equals(SchemeName, StringComparison.OrdinalIgnoreCase))
        {
            return Fail("Missing API key: send 'Authorization: ApiKey vrg_sk_...'");
        }

        if (!header.StartsWith("ApiKey ", StringComparison.OrdinalIgnoreCase))
        {
            return Fail("Unsupported authorization scheme: send 'Authorization: ApiKey vrg_sk_...'");
        }

        var result = await validator.ValidateAsync(header["ApiKey ".Length..].Trim(), Context.RequestAborted);
        if (result.Caller is null)
        {
            return Fail(result.Failure!);
        }

        return AuthenticateResult.Success(new AuthenticationTicket(result.Caller.ToPrincipal(SchemeName), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var message = Context.Items[FailureItem] as string ?? "Missing API key: send 'Authorization: ApiKey vrg_sk_...'";
        Response.Headers.WWWAuthenticate = SchemeName;
        return ApiError.Unauthorized(message).ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        new ApiError(403, ErrorCodes.Forbidden, "Forbidden").ExecuteAsync(Context);

    private AuthenticateResult Fail(string why)
    {
        Context.Items[FailureItem] = why;
        return AuthenticateResult.NoResult();
    }
}
