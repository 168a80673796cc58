namespace Verging.Jobs.Processing;

/// <summary>
/// Does the media work of one job type on local files. The runner fetches the inputs into
/// <see cref="ProcessorInput.WorkDirectory"/>, measures them, calls the processor, then stores
/// the outputs it names in the blob store; processors never touch the network or the ledger.
/// </summary>
public interface IJobProcessor
{
    /// <summary>One of <c>JobTypes</c>.</summary>
    string JobType { get; }

    /// <summary>Writes the outputs into the work directory. Throws <see cref="JobProcessingException"/> for a user-facing failure.</summary>
    Task<ProcessorResult> ProcessAsync(ProcessorInput input, IProgress<int> progress, CancellationToken cancellation);
}

/// <param name="JobId">The job (for file names and logs).</param>
/// <param name="WorkDirectory">A private directory for this attempt; deleted afterwards.</param>
/// <param name="VideoPath">The target video (face swap, video enhance), else null.</param>
/// <param name="ImagePath">The swap image, the still for image-to-video, or the image to cut out, else null.</param>
/// <param name="IsHd">HD variant requested.</param>
/// <param name="DurationSeconds">For image-to-video, the video length to make; for video jobs, the measured duration.</param>
/// <param name="Prompt">Optional prompt (image-to-video).</param>
public sealed record ProcessorInput(
    Guid JobId, string WorkDirectory, string? VideoPath, string? ImagePath, bool IsHd, double DurationSeconds, string? Prompt);

/// <param name="Path">A file inside the work directory.</param>
/// <param name="ContentType">Its media type, e.g. video/mp4 or image/png.</param>
/// <param name="Name">Its name in the job's outputs, e.g. "video" or "image".</param>
public sealed record ProcessorOutput(string Path, string ContentType, string Name);

public sealed record ProcessorResult(IReadOnlyList<ProcessorOutput> Outputs);

/// <summary>A failure that is the input's fault (no face found, unreadable video): the job fails with this message.</summary>
public sealed class JobProcessingException(string message, Exception? inner = null) : Exception(message, inner);
