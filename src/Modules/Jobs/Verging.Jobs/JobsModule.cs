using System.Reflection;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Verging.Jobs.Api;
using Verging.Jobs.Domain;
using Verging.Jobs.Lifecycle;
using Verging.Jobs.Processing;
using Verging.Jobs.Retention;
using Verging.Jobs.Running;
using Verging.SharedKernel.Fetching;
using Wolverine;

namespace Verging.Jobs;

/// <summary>Registration point of the Jobs module: job streams and read model, the durable job queue, workers and sweeps.</summary>
public static class JobsModule
{
    public const string Schema = "jobs";

    public static Assembly Assembly => typeof(JobsModule).Assembly;

    public static IServiceCollection AddJobsModule(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<JobsOptions>(configuration.GetSection("Jobs"));
        var settings = configuration.GetSection("Jobs").Get<JobsOptions>() ?? new JobsOptions();
        var concurrency = Math.Max(1, settings.Concurrency);

        services.AddBaselineProcessors();
        if (settings.NoOpProcessors)
        {
            NoOpProcessor.ReplaceAll(services);
        }

        services.AddRemoteMediaFetcher(configuration);
        services.AddSingleton<JobJournal>();
        services.AddSingleton<JobLifecycle>();
        services.AddSingleton<LeaseStore>();
        services.AddSingleton<JobWorkspace>();
        services.AddSingleton<JobRunner>();
        services.AddSingleton<RunningJobs>();
        services.AddSingleton<JobCreation>();
        services.AddSingleton<JobSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<JobSweeper>());

        services.ConfigureWolverine(opts =>
        {
            // Durable (the policy makes local queues durable): a job sent here survives a restart.
            opts.PublishMessage<RunJob>().ToLocalQueue(RunJob.QueueName);
            opts.LocalQueue(RunJob.QueueName).MaximumParallelMessages(concurrency);
        });

        services.ConfigureMarten(opts =>
        {
            opts.Events.AddEventTypes([
                typeof(JobCreated), typeof(JobQueued), typeof(JobStarted), typeof(JobProgressed), typeof(JobSucceeded),
                typeof(JobFailed), typeof(JobRetried), typeof(JobCancelled), typeof(JobExpired),
            ]);
            // The job's inline snapshot is its read model: committed with every event, so lists never lag.
            opts.Projections.Snapshot<Job>(SnapshotLifecycle.Inline);
            opts.Schema.For<Job>().DatabaseSchemaName(Schema)
                .Index(j => j.AccountId)
                .Index(j => j.Status)
                // Only waiting jobs: queue positions and worker leases look at these, and a partial
                // index stays as small as the queue instead of growing with every job ever run.
                .Index(j => j.QueuedAt, index => index.Predicate = $"data ->> 'status' = '{JobStatus.Pending}'")
                // Only completed jobs: the retention sweep reads the oldest of them.
                .Index(j => j.FinishedAt!, index => index.Predicate = $"data ->> 'status' = '{JobStatus.Completed}'")
                .Index(j => j.CreatedAt);
            opts.Storage.ExtendedSchemaObjects.Add(LeaseTable.Build());
        });

        return services;
    }
}
