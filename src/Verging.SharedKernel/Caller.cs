using System.Security.Claims;

namespace Verging.SharedKernel;

/// <summary>
/// Who is calling: the account and the API key of an authenticated <c>/api/v1</c> request.
/// Identity's authentication scheme puts both in the user's claims; endpoints read them back here.
/// </summary>
public sealed record Caller(Guid AccountId, Guid ApiKeyId)
{
    public const string AccountIdClaim = "verging:account_id";
    public const string ApiKeyIdClaim = "verging:api_key_id";

    public static Caller From(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var account = user.FindFirst(AccountIdClaim)?.Value;
        var key = user.FindFirst(ApiKeyIdClaim)?.Value;
        if (account is null || key is null)
        {
            // Only reachable if an endpoint forgot RequireAuthorization: fail closed.
            throw new ApiErrorException(ApiError.Unauthorized("Missing API key"));
        }

        return new Caller(Guid.Parse(account), Guid.Parse(key));
    }

    public ClaimsPrincipal ToPrincipal(string scheme) =>
        new(new ClaimsIdentity(
            [new Claim(AccountIdClaim, AccountId.ToString()), new Claim(ApiKeyIdClaim, ApiKeyId.ToString())],
            scheme));
}
