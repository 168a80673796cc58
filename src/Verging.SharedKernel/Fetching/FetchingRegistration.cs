using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Verging.SharedKernel.Fetching;

public static class FetchingRegistration
{
    /// <summary>
    /// The SSRF-guarded fetcher, configured from <c>RemoteFetch</c>; a registered <see cref="IHostAddressResolver"/>
    /// wins over DNS. Every module that needs it asks for it; the first one registers it.
    /// </summary>
    public static IServiceCollection AddRemoteMediaFetcher(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ServiceType == typeof(IRemoteMediaFetcher)))
        {
            return services;
        }

        services.AddOptions<RemoteFetchOptions>().Bind(configuration.GetSection(RemoteFetchOptions.Section));
        services.TryAddSingleton<IHostAddressResolver, DnsHostAddressResolver>();
        services.TryAddSingleton<IAddressConnector, TcpAddressConnector>();
        services.TryAddSingleton<IRemoteMediaFetcher, GuardedRemoteMediaFetcher>();
        return services;
    }
}
