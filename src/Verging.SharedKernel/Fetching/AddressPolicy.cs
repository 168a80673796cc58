using System.Net;
using System.Net.Sockets;

namespace Verging.SharedKernel.Fetching;

/// <summary>
/// Which URLs and addresses the server may fetch from. Pure: no DNS, no sockets. IPv4 is refused by
/// special-purpose range (RFC 6890); IPv6 is admitted only inside global unicast 2000::/3 minus its special
/// blocks, and forms that embed an IPv4 address (mapped, compatible, NAT64, 6to4) are judged by that address.
/// </summary>
public static class AddressPolicy
{
    private static readonly IPAddress AwsMetadataV6 = IPAddress.Parse("fd00:ec2::254");

    /// <summary>Why the URL itself is refused (before any resolution), else null. <paramref name="field"/> names it in the reason.</summary>
    public static string? CheckUrl(Uri url, string field)
    {
        if (!url.IsAbsoluteUri)
        {
            return $"{field} must be an absolute http or https URL";
        }

        if (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
        {
            return $"{field} must be an http or https URL";
        }

        // http://trusted.example@127.0.0.1/ reads as one host to a person and is another to a client.
        if (!string.IsNullOrEmpty(url.UserInfo))
        {
            return $"{field} must not contain a user name or password";
        }

        return string.IsNullOrWhiteSpace(url.Host) ? $"{field} has no host" : null;
    }

    /// <summary>
    /// The literal address in the URL's host, else null. Any notation an address parser accepts counts (decimal
    /// 2130706433, hex 0x7f.1, octal 0177.0.0.1), whether or not <see cref="Uri"/> classed the host as an IP, because
    /// the system resolver would read such a "name" as that address too.
    /// </summary>
    public static IPAddress? LiteralAddress(Uri url) => IPAddress.TryParse(url.DnsSafeHost, out var address) ? address : null;

    /// <summary>Why a connection to <paramref name="address"/> is refused, else null. The reason is user-facing.</summary>
    public static string? CheckAddress(IPAddress address, bool allowLoopback, string field)
    {
        var kind = Classify(address);
        if (kind is null || (kind == "loopback" && allowLoopback))
        {
            return null;
        }

        return $"{field} resolves to {(kind[0] is 'a' or 'u' ? "an" : "a")} {kind} address";
    }

    /// <summary>null for a public unicast address, else what it is: loopback, private, link-local, ...</summary>
    internal static string? Classify(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return ClassifyV6(address);
        }

        return address.AddressFamily == AddressFamily.InterNetwork ? ClassifyV4(address.GetAddressBytes()) : "unsupported";
    }

    private static string? ClassifyV4(byte[] b)
    {
        if (b is [169, 254, 169, 254])
        {
            return "cloud metadata";
        }

        return b switch
        {
            [0, _, _, _] => "unspecified",
            [127, _, _, _] => "loopback",
            [10, _, _, _] => "private",
            [172, >= 16 and <= 31, _, _] => "private",
            [192, 168, _, _] => "private",
            [100, >= 64 and <= 127, _, _] => "private", // carrier-grade NAT, 100.64.0.0/10
            [169, 254, _, _] => "link-local",
            [192, 0, 0, _] or [192, 0, 2, _] or [198, 51, 100, _] or [203, 0, 113, _] => "reserved",
            [192, 88, 99, _] or [198, 18 or 19, _, _] => "reserved",
            [>= 224 and <= 239, _, _, _] => "multicast",
            [255, 255, 255, 255] => "broadcast",
            [>= 240, _, _, _] => "reserved",
            _ => null,
        };
    }

    private static string? ClassifyV6(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return ClassifyV4(address.MapToIPv4().GetAddressBytes());
        }

        var b = address.GetAddressBytes();
        if (b.All(x => x == 0))
        {
            return "unspecified";
        }

        if (IPAddress.IPv6Loopback.Equals(address))
        {
            return "loopback";
        }

        if (b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0)
        {
            return ClassifyV4(b[12..]) ?? "reserved"; // IPv4-compatible ::a.b.c.d, deprecated
        }

        if (b is [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, ..])
        {
            return ClassifyV4(b[12..]); // NAT64 64:ff9b::/96 reaches the embedded IPv4 address
        }

        if (AwsMetadataV6.Equals(address))
        {
            return "cloud metadata";
        }

        return b switch
        {
            [0xff, ..] => "multicast",
            [0xfe, >= 0x80 and <= 0xbf, ..] => "link-local",
            [0xfe, >= 0xc0, ..] => "private", // site-local, deprecated
            [>= 0xfc and <= 0xfd, ..] => "private", // unique local fc00::/7 (AWS metadata lives in fd00:ec2::/32)
            [0x20, 0x02, ..] => ClassifyV4(b[2..6]) ?? "reserved", // 6to4 relays to the embedded IPv4 address
            [0x20, 0x01, 0x0d, 0xb8, ..] => "reserved", // documentation
            [0x20, 0x01, 0x00, <= 0x01, ..] => "reserved", // 2001::/23: Teredo, benchmarking, ORCHID ...
            [>= 0x20 and <= 0x3f, ..] => null, // global unicast 2000::/3
            _ => "reserved",
        };
    }
}
