using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Verging.IntegrationTests.Infrastructure;
using Verging.Jobs.Contracts;
using Verging.Jobs.Processing;

namespace Verging.IntegrationTests.Jobs;

/// <summary>The real host with the baseline processors, short leases and sweeps, and the worker API on.</summary>
public class JobsHost : VergingHost
{
    public const string WorkerToken = "worker-test-token-0123456789";

    protected override void Configure(IWebHostBuilder builder)
    {
        builder.UseSetting("Jobs:LeaseDuration", "00:00:02");
        builder.UseSetting("Jobs:SweepInterval", "00:00:00.200");
        builder.UseSetting("Jobs:WorkerToken", WorkerToken);
        builder.UseSetting("Jobs:WorkRoot", Path.Combine(Path.GetTempPath(), "verging-test-jobs"));
    }

    public JobsApi Api => new(Host);
}

[CollectionDefinition(Name)]
public sealed class JobsCollection : ICollectionFixture<JobsHost>
{
    public const string Name = "jobs";
}

/// <summary>
/// Jobs whose processing the test controls: background removal runs <see cref="HeldProcessor"/>
/// (waits until released or cancelled), image-to-video is left to external workers.
/// Can restart its host on the same database mid-job.
/// </summary>
public sealed class ControlledJobsHost : JobsHost
{
    protected override void Configure(IWebHostBuilder builder)
    {
        base.Configure(builder);
        builder.UseSetting("Jobs:ExternalOnlyTypes:0", JobTypes.ImageToVideo);
        builder.ConfigureServices(services => services.AddSingleton<IJobProcessor, HeldProcessor>());
    }

    /// <summary>Stops this instance (as a deploy or crash would) and starts a new one on the same database.</summary>
    public async Task RestartAsync()
    {
        await Host.DisposeAsync();
        Host = await StartHostAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ControlledJobsCollection : ICollectionFixture<ControlledJobsHost>
{
    public const string Name = "controlled jobs";
}

/// <summary>A background-removal processor that holds each job until the test lets it finish.</summary>
public sealed class HeldProcessor : IJobProcessor
{
    private static TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private static TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string JobType => JobTypes.BackgroundRemoval;

    /// <summary>Completes when a job has entered the processor.</summary>
    public static Task Started => _started.Task;

    public static void Reset()
    {
        _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public static void ReleaseAll() => _release.TrySetResult();

    public async Task<ProcessorResult> ProcessAsync(ProcessorInput input, IProgress<int> progress, CancellationToken cancellation)
    {
        progress.Report(40);
        _started.TrySetResult();
        await _release.Task.WaitAsync(cancellation);
        var output = Path.Combine(input.WorkDirectory, "out.png");
        File.Copy(input.ImagePath!, output);
        return new ProcessorResult([new ProcessorOutput(output, "image/png", "image")]);
    }
}
