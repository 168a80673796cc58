using System.Net;

namespace Verging.SharedKernel.Fetching;

/// <summary>Turns a host name into addresses. Injectable so the guard's refusals can be tested without DNS or connections.</summary>
public interface IHostAddressResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellation);
}

internal sealed class DnsHostAddressResolver : IHostAddressResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellation) =>
        Dns.GetHostAddressesAsync(host, cancellation);
}
