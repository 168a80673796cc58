namespace Verging.IntegrationTests.Jobs.Processors;

/// <summary>
/// The processor tests keep both cores busy (x264 at 2160 lines, OpenCV per frame). Run alone, after the parallel
/// collections, they neither slow down timing-sensitive host tests nor get slowed by them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessorCollection
{
    public const string Name = "Media processors (CPU-heavy, not parallel)";
}
