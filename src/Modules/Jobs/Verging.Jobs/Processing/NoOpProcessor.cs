using Microsoft.Extensions.DependencyInjection;
using Verging.Jobs.Contracts;

namespace Verging.Jobs.Processing;

/// <summary>
/// Does no media work: its output is a copy of the input (or a one-byte file). Only for load tests
/// and the jobs benchmark (Jobs:NoOpProcessors=true), which measure the platform around the
/// processors: API, credits, queue, leases, blobs, events.
/// </summary>
internal sealed class NoOpProcessor(string jobType) : IJobProcessor
{
    public string JobType => jobType;

    public async Task<ProcessorResult> ProcessAsync(ProcessorInput input, IProgress<int> progress, CancellationToken cancellation)
    {
        var source = input.ImagePath ?? input.VideoPath;
        var output = Path.Combine(input.WorkDirectory, "noop-output" + Path.GetExtension(source ?? ".bin"));
        if (source is null)
        {
            await File.WriteAllBytesAsync(output, [0], cancellation);
        }
        else
        {
            File.Copy(source, output);
        }

        var isImage = jobType == JobTypes.BackgroundRemoval;
        return new ProcessorResult([new ProcessorOutput(output, isImage ? "image/png" : "video/mp4", isImage ? "image" : "video")]);
    }

    /// <summary>Replaces every baseline processor (registered after them: the last registration of a type wins).</summary>
    public static void ReplaceAll(IServiceCollection services)
    {
        foreach (var type in JobTypes.All)
        {
            services.AddSingleton<IJobProcessor>(new NoOpProcessor(type));
        }
    }
}
