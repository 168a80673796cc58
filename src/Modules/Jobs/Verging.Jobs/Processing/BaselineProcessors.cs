using Microsoft.Extensions.DependencyInjection;

namespace Verging.Jobs.Processing;

public static class BaselineProcessors
{
    /// <summary>
    /// The built-in processors that do real work on this machine with ffmpeg and classical OpenCV (no neural
    /// models): one <see cref="IJobProcessor"/> per job type. A GPU worker can replace them job type by job type.
    /// </summary>
    public static IServiceCollection AddBaselineProcessors(this IServiceCollection services)
    {
        services.AddSingleton<IJobProcessor, VideoEnhanceProcessor>();
        services.AddSingleton<IJobProcessor, ImageToVideoProcessor>();
        services.AddSingleton<IJobProcessor, BackgroundRemovalProcessor>();
        services.AddSingleton<IJobProcessor, FaceSwapProcessor>();
        return services;
    }
}
