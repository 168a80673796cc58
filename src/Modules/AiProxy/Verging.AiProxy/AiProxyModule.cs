using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Verging.AiProxy;

/// <summary>Registration point of the AiProxy module.</summary>
public static class AiProxyModule
{
    public static Assembly Assembly => typeof(AiProxyModule).Assembly;

    public static IServiceCollection AddAiProxyModule(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return services;
    }
}
