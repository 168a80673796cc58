using System.Reflection;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Verging.AiProxy.Chat;
using Verging.AiProxy.Providers;
using Verging.AiProxy.Providers.OpenAi;
using Verging.AiProxy.Providers.Sandbox;
using Verging.AiProxy.RateLimits;
using Verging.SharedKernel.Fetching;

namespace Verging.AiProxy;

/// <summary>Registration point of the AiProxy module: providers, pricing, rate limits and the AI endpoints.</summary>
public static class AiProxyModule
{
    public const string Schema = "aiproxy";

    public static Assembly Assembly => typeof(AiProxyModule).Assembly;

    public static IServiceCollection AddAiProxyModule(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<OpenAiOptions>(configuration.GetSection("AiProxy:Upstream"));
        services.Configure<RateLimitOptions>(configuration.GetSection("AiProxy:RateLimits"));
        services.AddSingleton<TokenCounter>();
        services.AddSingleton<RateLimiter>();
        services.AddHostedService<RateWindowSweeper>();
        services.AddSingleton<Billing.PaidRequest>();
        services.AddSingleton<ChatPipeline>();
        services.AddSingleton<Vision.VisionImageSource>();
        services.AddRemoteMediaFetcher(configuration);

        var upstream = configuration.GetSection("AiProxy:Upstream").Get<OpenAiOptions>() ?? new OpenAiOptions();
        if (string.IsNullOrWhiteSpace(upstream.BaseUrl))
        {
            services.AddSingleton<IAiProvider, SandboxProvider>();
        }
        else
        {
            var timeout = upstream.Timeout;
            // A singleton holding one pooled client: Wolverine injects singletons into generated code
            // once, and SocketsHttpHandler's connection lifetime takes care of DNS changes.
            services.AddSingleton<IAiProvider>(sp => new OpenAiCompatibleProvider(
                sp.GetRequiredService<IHttpClientFactory>().CreateClient(OpenAiCompatibleProvider.HttpClientName),
                sp.GetRequiredService<IOptions<OpenAiOptions>>()));
            services.AddHttpClient(OpenAiCompatibleProvider.HttpClientName, client =>
                {
                    client.BaseAddress = new Uri(upstream.BaseUrl.TrimEnd('/') + "/");
                    // The resilience pipeline below owns every timeout.
                    client.Timeout = Timeout.InfiniteTimeSpan;
                })
                .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
                {
                    PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                    MaxConnectionsPerServer = 1024,
                })
                .AddStandardResilienceHandler(o =>
                {
                    o.Retry.MaxRetryAttempts = 2;
                    o.Retry.Delay = TimeSpan.FromMilliseconds(200);
                    o.AttemptTimeout.Timeout = timeout;
                    o.TotalRequestTimeout.Timeout = timeout * 3;
                    o.CircuitBreaker.SamplingDuration = (timeout * 2) + TimeSpan.FromSeconds(1);
                });
        }

        services.ConfigureMarten(opts => opts.Storage.ExtendedSchemaObjects.Add(RateWindowsTable.Build()));
        return services;
    }
}
