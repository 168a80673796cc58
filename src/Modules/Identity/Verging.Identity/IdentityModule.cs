using System.Reflection;
using Marten;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Verging.Identity.Accounts;
using Verging.Identity.ApiKeys;
using Verging.Identity.Authentication;

namespace Verging.Identity;

/// <summary>Registration point of the Identity module: accounts, API keys and the ApiKey scheme.</summary>
public static class IdentityModule
{
    public const string Schema = "identity";

    public static Assembly Assembly => typeof(IdentityModule).Assembly;

    public static IServiceCollection AddIdentityModule(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<IdentityOptions>(configuration.GetSection("Identity"));
        services.AddSingleton<LastUsedTracker>();
        services.AddSingleton<ApiKeyValidator>();
        services.AddSingleton<LastUsedFlusher>();
        services.AddHostedService(sp => sp.GetRequiredService<LastUsedFlusher>());
        services.AddHostedService<ApiKeyRevocationListener>();

        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);

        services.ConfigureMarten(opts =>
        {
            opts.Schema.For<Account>().DatabaseSchemaName(Schema).UniqueIndex(a => a.Email);
            opts.Schema.For<ApiKey>().DatabaseSchemaName(Schema).UniqueIndex(k => k.Hash).Index(k => k.AccountId);
        });

        return services;
    }
}
