using System.Security.Cryptography;
using System.Text;

namespace Verging.SharedKernel.Http;

/// <summary>
/// Checks <c>Authorization: Bearer &lt;token&gt;</c> against a configured token: the scheme is case-insensitive
/// (RFC 9110, 11.1: "bearer" and "BEARER" are the same scheme), the token is compared in constant time.
/// </summary>
public static class BearerToken
{
    public static bool Matches(string? authorization, string token)
    {
        var header = authorization.AsSpan().Trim();
        var space = header.IndexOf(' ');
        if (space < 0 || !header[..space].Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var presented = Encoding.UTF8.GetBytes(header[(space + 1)..].TrimStart().ToString());
        return CryptographicOperations.FixedTimeEquals(presented, Encoding.UTF8.GetBytes(token));
    }
}
