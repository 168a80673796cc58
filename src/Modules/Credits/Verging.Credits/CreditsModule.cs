using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Verging.Credits;

/// <summary>Registration point of the Credits module.</summary>
public static class CreditsModule
{
    public static Assembly Assembly => typeof(CreditsModule).Assembly;

    public static IServiceCollection AddCreditsModule(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return services;
    }
}
