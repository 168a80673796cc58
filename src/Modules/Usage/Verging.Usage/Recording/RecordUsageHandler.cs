using Microsoft.Extensions.Logging;
using Verging.AiProxy.Contracts;
using Verging.Jobs.Contracts;
using Wolverine;

namespace Verging.Usage.Recording;

/// <summary>
/// Records what AiProxy and Jobs publish. The contracts arrive on Usage's durable local queue
/// (persisted before they are handled, see <see cref="UsageModule"/>), so a crash loses nothing; a
/// redelivery is recognised by the usage log and records nothing twice. The log completes the envelope
/// (deletes its inbox row) in the transaction that records it.
/// </summary>
public static class RecordUsageHandler
{
    public static Task Handle(AiRequestCompleted message, Envelope envelope, UsageLog log, ILogger<UsageLog> logger, CancellationToken cancellation) =>
        AppendAsync(UsageProjection.Received(message), envelope, log, logger, cancellation);

    public static Task Handle(AiRequestFailed message, Envelope envelope, UsageLog log, ILogger<UsageLog> logger, CancellationToken cancellation) =>
        AppendAsync(UsageProjection.Received(message), envelope, log, logger, cancellation);

    public static Task Handle(JobAttemptEnded message, Envelope envelope, UsageLog log, ILogger<UsageLog> logger, CancellationToken cancellation) =>
        AppendAsync(UsageProjection.Received(message), envelope, log, logger, cancellation);

    private static async Task AppendAsync(ReceivedUsageEvent received, Envelope envelope, UsageLog log, ILogger logger, CancellationToken cancellation)
    {
        if (!await log.AppendAsync(received, envelope, cancellation))
        {
            logger.LogInformation("Usage of {SourceId} attempt {Attempt} was already recorded: redelivery ignored", received.SourceId, received.Attempt);
        }
    }
}
