using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Verging.Jobs.Fetching;

public static class FetchingRegistration
{
    /// <summary>The SSRF-guarded fetcher, configured from <c>Jobs:Fetch</c>; a registered <see cref="IHostAddressResolver"/> wins over DNS.</summary>
    public static IServiceCollection AddRemoteMediaFetcher(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RemoteFetchOptions>().Bind(configuration.GetSection(RemoteFetchOptions.Section));
        services.TryAddSingleton<IHostAddressResolver, DnsHostAddressResolver>();
        services.TryAddSingleton<IAddressConnector, TcpAddressConnector>();
        services.TryAddSingleton<IRemoteMediaFetcher, GuardedRemoteMediaFetcher>();
        return services;
    }
}
