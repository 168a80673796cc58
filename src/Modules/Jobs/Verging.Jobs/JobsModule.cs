using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Verging.Jobs;

/// <summary>Registration point of the Jobs module.</summary>
public static class JobsModule
{
    public static Assembly Assembly => typeof(JobsModule).Assembly;

    public static IServiceCollection AddJobsModule(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return services;
    }
}
