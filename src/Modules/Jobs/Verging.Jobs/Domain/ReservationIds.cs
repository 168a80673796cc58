using System.Security.Cryptography;

namespace Verging.Jobs.Domain;

/// <summary>
/// The credit reservation of a job's attempt, derived from (job, attempt): a redelivered create or
/// retry names the same reservation, so Credits recognises it and never holds twice.
/// </summary>
public static class ReservationIds
{
    public static Guid For(Guid jobId, int attempt)
    {
        Span<byte> input = stackalloc byte[20];
        jobId.TryWriteBytes(input);
        BitConverter.TryWriteBytes(input[16..], attempt);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(input, hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80); // version 8: custom, name-based
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(hash[..16]);
    }
}
