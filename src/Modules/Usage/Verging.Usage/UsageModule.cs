using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Verging.Usage;

/// <summary>Registration point of the Usage module.</summary>
public static class UsageModule
{
    public static Assembly Assembly => typeof(UsageModule).Assembly;

    public static IServiceCollection AddUsageModule(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return services;
    }
}
