using System.Security.Cryptography;
using System.Text;

namespace Verging.Identity.ApiKeys;

/// <summary>
/// API key format: <c>vrg_sk_</c> + 43 random base62 characters (256 bits) + 6 base62 characters of
/// checksum (the first 32 bits of SHA-256 of the random part). The checksum lets a typo or a
/// truncated key be refused without touching the database. Keys are stored only as SHA-256 hashes.
/// </summary>
public static class ApiKeyFormat
{
    public const string Prefix = "vrg_sk_";
    public const int RandomLength = 43;
    public const int ChecksumLength = 6;
    public const int TotalLength = 7 + RandomLength + ChecksumLength;

    /// <summary>How many random characters are shown in a key's public prefix.</summary>
    public const int VisibleRandomChars = 4;

    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public static string Generate()
    {
        var random = new char[RandomLength];
        for (var i = 0; i < RandomLength; i++)
        {
            // GetInt32 is unbiased: every character carries log2(62) ≈ 5.95 bits.
            random[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        }

        var body = new string(random);
        return Prefix + body + Checksum(body);
    }

    /// <summary>True when the key has the right prefix, length, alphabet and checksum.</summary>
    public static bool IsWellFormed(ReadOnlySpan<char> key)
    {
        if (key.Length != TotalLength || !key.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = key[Prefix.Length..];
        foreach (var c in rest)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        var body = rest[..RandomLength];
        var checksum = rest[RandomLength..];
        return checksum.SequenceEqual(Checksum(body));
    }

    /// <summary>The displayable prefix: <c>vrg_sk_</c> and the first random characters.</summary>
    public static string DisplayPrefix(string key) => key[..(Prefix.Length + VisibleRandomChars)];

    /// <summary>Lower-case hex SHA-256 of the whole key: the only form in which a key is stored.</summary>
    public static string Hash(ReadOnlySpan<char> key)
    {
        Span<byte> utf8 = stackalloc byte[TotalLength * 3];
        var length = Encoding.UTF8.GetBytes(key, utf8);
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(utf8[..length], digest);
        return Convert.ToHexStringLower(digest);
    }

    private static string Checksum(ReadOnlySpan<char> body)
    {
        Span<byte> utf8 = stackalloc byte[RandomLength];
        var length = Encoding.ASCII.GetBytes(body, utf8);
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(utf8[..length], digest);
        var value = BitConverter.ToUInt32(digest[..4]);
        Span<char> chars = stackalloc char[ChecksumLength];
        for (var i = ChecksumLength - 1; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(value % 62)];
            value /= 62;
        }

        return new string(chars);
    }
}
