using Marten;

namespace Verging.Api.Idempotency;

internal static class IdempotencySetup
{
    public static IServiceCollection AddVergingIdempotency(this IServiceCollection services)
    {
        services.AddSingleton<IdempotencyStore>();
        services.ConfigureMarten(opts => opts.Storage.ExtendedSchemaObjects.Add(IdempotencyStore.Build()));
        return services;
    }

    /// <summary>After authentication (keys are scoped to the caller), before the endpoints.</summary>
    public static void UseVergingIdempotency(this WebApplication app) => app.UseMiddleware<IdempotencyMiddleware>();
}
