using Marten;
using JasperFx.Events;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Verging.Jobs.Domain;
using Wolverine.Marten;

namespace Verging.Jobs.Lifecycle;

/// <summary>
/// Appends to job streams. Every change locks the job's stream (an exclusive row lock, not an
/// optimistic check: a failed optimistic append leaves a gap the async daemon waits on), folds the
/// new events, and commits them with the inline read model and any outgoing messages (outbox) in
/// one transaction: a transition and its contract are published together or not at all.
/// </summary>
public sealed class JobJournal(IDocumentStore store, IServiceProvider services, TimeProvider clock)
{
    /// <summary>Runs <paramref name="decide"/> on the locked job; commits what it appended. Null when there is no such job.</summary>
    public async Task<Job?> ChangeAsync(Guid jobId, Func<Job, JobChange, Task> decide, CancellationToken cancellation)
    {
        await using var scope = services.CreateAsyncScope();
        var outbox = scope.ServiceProvider.GetRequiredService<IMartenOutbox>();
        await using var session = store.LightweightSession();
        outbox.Enroll(session);
        var stream = await session.Events.FetchForExclusiveWriting<Job>(jobId, cancellation);
        if (stream.Aggregate is null)
        {
            return null;
        }

        var change = new JobChange(stream, session, outbox, clock.GetUtcNow());
        await decide(stream.Aggregate, change);
        if (change.HasEvents)
        {
            await session.SaveChangesAsync(cancellation);
        }

        return change.State;
    }

    /// <summary>Starts a new job's stream with its first events and messages.</summary>
    public async Task<Job> StartAsync(Guid jobId, IReadOnlyList<object> events, IReadOnlyList<object> messages, CancellationToken cancellation)
    {
        await using var scope = services.CreateAsyncScope();
        var outbox = scope.ServiceProvider.GetRequiredService<IMartenOutbox>();
        await using var session = store.LightweightSession();
        outbox.Enroll(session);
        session.Events.StartStream<Job>(jobId, [.. events]);
        foreach (var message in messages)
        {
            await outbox.PublishAsync(message);
        }

        await session.SaveChangesAsync(cancellation);
        var job = Job.Create((JobCreated)events[0]);
        return events.Skip(1).Aggregate(job, JobFold.Apply);
    }
}

/// <summary>What one locked change appends and sends; <see cref="State"/> is the job after the appended events.</summary>
public sealed class JobChange(IEventStream<Job> stream, IDocumentSession session, IMartenOutbox outbox, DateTimeOffset now)
{
    public DateTimeOffset Now => now;
    public Job State { get; private set; } = stream.Aggregate!;
    public bool HasEvents { get; private set; }

    public void Append(object @event)
    {
        stream.AppendOne(@event);
        State = JobFold.Apply(State, @event);
        HasEvents = true;
    }

    public ValueTask PublishAsync(object message) => outbox.PublishAsync(message);

    /// <summary>A SQL statement committed with the events (the lease table).</summary>
    public void Sql(string sql, params object[] parameters) => session.QueueSqlCommand(sql, parameters);
}

/// <summary>Applies one event to a job (the same methods Marten's snapshot uses).</summary>
public static class JobFold
{
    public static Job Apply(Job job, object @event) => @event switch
    {
        JobQueued e => job.Apply(e),
        JobStarted e => job.Apply(e),
        JobProgressed e => job.Apply(e),
        JobSucceeded e => job.Apply(e),
        JobFailed e => job.Apply(e),
        JobRetried e => job.Apply(e),
        JobCancelled e => job.Apply(e),
        JobExpired e => job.Apply(e),
        _ => throw new ArgumentException($"not a job event: {@event.GetType().Name}", nameof(@event)),
    };
}
