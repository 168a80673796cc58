using System.Reflection;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Verging.AiProxy.Contracts;
using Verging.Jobs.Contracts;
using Verging.Usage.Maintenance;
using Verging.Usage.Queries;
using Verging.Usage.Recording;
using Wolverine;

namespace Verging.Usage;

/// <summary>
/// Registration point of the Usage module: it owns no commands, only read models of what AiProxy and
/// Jobs publish (ADR 0009). The contracts reach it on conventional local queues, which the host makes
/// durable (<c>UseDurableLocalQueues</c>): a message is stored in the inbox before it is handled, so a
/// crash between publish and record loses no usage. A test asserts those routes are durable.
/// </summary>
public static class UsageModule
{
    public const string Schema = UsageTables.Schema;

    public const int RecordingParallelism = 16;

    public static Assembly Assembly => typeof(UsageModule).Assembly;

    public static IServiceCollection AddUsageModule(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSingleton<UsageLog>();
        services.AddSingleton<InboxCompletions>();
        services.AddSingleton<UsageReader>();
        services.AddSingleton<UsageRebuild>();
        services.AddSingleton<UsageSeeder>();
        services.AddSingleton<ProjectionLagProbe>();

        // Recording is one short statement per contract, mostly waiting on its commit: run many at
        // once, or a durable (fsync'd) database caps a queue at a couple of hundred a second.
        services.ConfigureWolverine(opts =>
        {
            opts.LocalQueueFor<AiRequestCompleted>().MaximumParallelMessages(RecordingParallelism);
            opts.LocalQueueFor<AiRequestFailed>().MaximumParallelMessages(RecordingParallelism);
            opts.LocalQueueFor<JobAttemptEnded>().MaximumParallelMessages(RecordingParallelism);
        });

        services.ConfigureMarten(opts =>
        {
            opts.Storage.ExtendedSchemaObjects.Add(UsageTables.ReceivedEventsTable());
            opts.Storage.ExtendedSchemaObjects.Add(UsageTables.RecordsTable());
            opts.Storage.ExtendedSchemaObjects.Add(UsageTables.RecordCountsTable());
        });
        return services;
    }
}
