using System.Security.Cryptography;
using System.Text;

namespace Verging.Api.Idempotency;

/// <summary>
/// What the idempotency table keeps is unreadable without the request that made it: the key column holds
/// a SHA-256 of the client's Idempotency-Key, and the remembered response (which may be a new API key's
/// secret, or a chat's content) is sealed with AES-GCM under a key derived from the account scope and the
/// client's Idempotency-Key. Only a retry that presents the same key can open it; a copy of the database
/// alone cannot (with keys as random as the docs ask: a UUID).
/// </summary>
internal static class ReplaySeal
{
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    /// <summary>The table's key column: the client's key never stored as sent.</summary>
    public static string StoredKey(string scope, string key) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"verging-idempotency-key\n{scope}\n{key}")));

    public static byte[] Seal(string scope, string key, ReadOnlySpan<byte> body)
    {
        var sealedBody = new byte[NonceBytes + body.Length + TagBytes];
        var nonce = sealedBody.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(BodyKey(scope, key), TagBytes);
        aes.Encrypt(nonce, body, sealedBody.AsSpan(NonceBytes, body.Length), sealedBody.AsSpan(NonceBytes + body.Length));
        return sealedBody;
    }

    /// <summary>The body, or null when it cannot be opened with this key (it was not sealed with it).</summary>
    public static byte[]? Open(string scope, string key, byte[] sealedBody)
    {
        if (sealedBody.Length < NonceBytes + TagBytes)
        {
            return null;
        }

        var length = sealedBody.Length - NonceBytes - TagBytes;
        var body = new byte[length];
        try
        {
            using var aes = new AesGcm(BodyKey(scope, key), TagBytes);
            aes.Decrypt(sealedBody.AsSpan(0, NonceBytes), sealedBody.AsSpan(NonceBytes, length), sealedBody.AsSpan(NonceBytes + length), body);
            return body;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }

    private static byte[] BodyKey(string scope, string key) =>
        SHA256.HashData(Encoding.UTF8.GetBytes($"verging-idempotency-body\n{scope}\n{key}"));
}
