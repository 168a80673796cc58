using System.Collections.Concurrent;
using System.Threading.Channels;
using Marten;
using Marten.Exceptions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Verging.Credits.Contracts;
using Wolverine;
using Verging.Credits.Ledger;
using Marten.Services;
using Wolverine.Runtime;

namespace Verging.Credits.Writer;

/// <summary>
/// The only code that appends to ledger streams. Commands queue per shard (an account always maps to
/// the same shard, so one instance never races itself); each shard loop takes everything waiting
/// and commits it in ONE transaction, then answers the callers: durable before answered, one commit
/// for many commands (ADR 0007). A batch on cached states (every steady-state freeze and settle) is
/// one round trip that proves the cache as it writes; any other batch locks the streams involved
/// (ordered, so instances cannot deadlock) and loads what it needs, then sends every write with the
/// COMMIT: two round trips (ADR 0017). What a batch publishes or schedules goes through the
/// batch's own outbox, in its transaction.
/// </summary>
public sealed class LedgerWriter : IHostedService, IDisposable
{
    private const int MaxAttempts = 4;

    private readonly IDocumentStore _store;
    private readonly NpgsqlDataSource _dataSource;
    private readonly IServiceProvider _services;
    private readonly TimeProvider _clock;
    private readonly HoldPolicy _holds;
    private readonly WriterOptions _options;
    private readonly ILogger<LedgerWriter> _logger;
    private readonly Channel<PendingCommand>[] _shards;
    private readonly ConcurrentDictionary<Guid, Ledger.Ledger> _cache = new();
    private readonly ExpiryChecks _expiryChecks = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task[] _loops = [];
    private IWolverineRuntime? _runtime;

    public LedgerWriter(
        IDocumentStore store, NpgsqlDataSource dataSource, IServiceProvider services, TimeProvider clock, IOptions<HoldPolicy> holds,
        IOptions<WriterOptions> options, ILogger<LedgerWriter> logger)
    {
        _store = store;
        _dataSource = dataSource;
        _services = services;
        _clock = clock;
        _holds = holds.Value;
        _options = options.Value;
        _logger = logger;
        _shards = Enumerable.Range(0, Math.Max(1, _options.Shards))
            .Select(_ => Channel.CreateUnbounded<PendingCommand>(new UnboundedChannelOptions { SingleReader = true }))
            .ToArray();
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loops = _shards.Select(shard => Task.Run(() => RunShardAsync(shard.Reader), CancellationToken.None)).ToArray();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Commands already queued are committed before the host goes: no caller is left hanging.
        foreach (var shard in _shards)
        {
            shard.Writer.TryComplete();
        }

        var drained = Task.WhenAll(_loops);
        if (await Task.WhenAny(drained, Task.Delay(Timeout.Infinite, cancellationToken)) != drained)
        {
            _logger.LogWarning("The ledger writer did not finish its queued commands before the stop timeout; cancelling the batch in flight (nothing of it is committed)");
        }

        try
        {
            await _stopping.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            // Stopped again after the container disposed this writer (a test host's factory stops
            // the host a second time when the first stop ran out of time): nothing is left to stop.
        }
        catch (AggregateException e)
        {
            // A cancellation callback of the batch in flight failed (its connection is being torn
            // down); the host must still stop, and an uncommitted batch changed nothing.
            _logger.LogWarning(e, "Cancelling the ledger batch in flight failed");
        }
    }

    /// <summary>Queues a command and returns its answer once the transaction holding it has committed.</summary>
    public async Task<TOutcome> SubmitAsync<TOutcome>(Guid accountId, object command)
    {
        LedgerCommandShape.Check(command);
        var pending = new PendingCommand(accountId, command);
        var shard = _shards[(int)((uint)accountId.GetHashCode() % (uint)_shards.Length)];
        if (!shard.Writer.TryWrite(pending))
        {
            throw new LedgerWriterStoppedException();
        }

        return (TOutcome)await pending.Answer.Task;
    }

    public void Dispose() => _stopping.Dispose();

    /// <summary>Drops cached state, e.g. after a rebuild rewrote the balance documents.</summary>
    public void ForgetCachedState() => _cache.Clear();

    private async Task RunShardAsync(ChannelReader<PendingCommand> reader)
    {
        var batch = new List<PendingCommand>(_options.MaxBatch);
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            batch.Clear();
            while (batch.Count < _options.MaxBatch && reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            await CommitWithRetriesAsync(batch);
        }
    }

    private async Task CommitWithRetriesAsync(List<PendingCommand> batch)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var answers = await CommitAsync(batch);
                WriterMetrics.BatchCommands.Record(batch.Count);
                WriterMetrics.BatchDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Answer.TrySetResult(answers[i]);
                }

                return;
            }
            catch (Exception e) when (IsRetriable(e) && attempt < MaxAttempts)
            {
                // Another instance wrote one of these streams behind our cache (the guard of an
                // optimistic batch), created a stream at the same moment, or deadlocked with us:
                // forget the cached states and decide again, under locks.
                ForgetStates(batch);
                _logger.LogInformation("Ledger batch of {Count} retried after a concurrent write ({Error})", batch.Count, e.GetType().Name);
            }
            catch (Exception e)
            {
                ForgetStates(batch);
                _logger.LogError(e, "Ledger batch of {Count} commands failed; nothing was committed", batch.Count);
                foreach (var pending in batch)
                {
                    pending.Answer.TrySetException(e);
                }

                return;
            }
        }
    }

    private async Task<object[]> CommitAsync(List<PendingCommand> batch)
    {
        var accounts = batch.Select(p => p.AccountId).Distinct().Order().ToArray();
        if (OptimisticBatch.TryPrepare(batch, accounts, a => _cache.GetValueOrDefault(a)) is { } cached
            && await CommitOptimisticAsync(batch, accounts, cached.States, cached.MustNotHaveEnded) is { } answers)
        {
            return answers;
        }

        return await CommitLockedAsync(batch, accounts);
    }

    /// <summary>
    /// One round trip: decides on the cached states and sends the writes as one implicit
    /// transaction, which commits at its end or not at all (ADR 0017). Null when the decisions
    /// would leave an account unverified (no event of it is written), so the batch is decided
    /// under locks instead; a write that finds the cache stale throws a retriable error.
    /// </summary>
    private async Task<object[]?> CommitOptimisticAsync(
        List<PendingCommand> batch, Guid[] accounts, Dictionary<Guid, Ledger.Ledger?> states, List<string> mustNotHaveEnded)
    {
        var phase = System.Diagnostics.Stopwatch.GetTimestamp();
        var versions = states.ToDictionary(s => s.Key, s => s.Value!.StreamVersion);
        var outbox = NewOutboxFor(batch);
        var writes = new LedgerBatchWrites(_store);
        var decided = await DecideAsync(batch, states, PriorOutcomes.None(), versions, writes, outbox);
        if (decided.Committed.Count != accounts.Length)
        {
            // An account without an event of its own would be answered from a cache nothing checked.
            return null;
        }

        WriterMetrics.RecordPhase("decide", phase);
        phase = System.Diagnostics.Stopwatch.GetTimestamp();
        writes.RequireNotEnded(mustNotHaveEnded);
        TellDecisions(batch, decided.Answers);
        await using (var connection = await _dataSource.OpenConnectionAsync(_stopping.Token))
        {
            // No BEGIN: the statements of one batch form one implicit transaction.
            await SendAsync(connection, null, writes, outbox);
        }

        WriterMetrics.RecordPhase("save", phase);
        await CommittedAsync(decided, outbox);
        return decided.Answers;
    }

    /// <summary>
    /// Two round trips: lock the streams and load what the batch needs, then decide and send every
    /// write with the COMMIT.
    /// </summary>
    private async Task<object[]> CommitLockedAsync(List<PendingCommand> batch, Guid[] accounts)
    {
        var phase = System.Diagnostics.Stopwatch.GetTimestamp();
        var outbox = NewOutboxFor(batch);
        await using var connection = await _dataSource.OpenConnectionAsync(_stopping.Token);
        await using var transaction = await connection.BeginTransactionAsync(_stopping.Token);

        var (reservationKeys, operationKeys) = PriorOutcomes.KeysOf(batch);
        var locked = await LedgerStorage.LockAndLoadAsync(_store, transaction, accounts, reservationKeys, operationKeys, _stopping.Token);
        var writes = new LedgerBatchWrites(_store);
        var states = await LoadStatesAsync(transaction, accounts, locked.Versions, writes);
        WriterMetrics.RecordPhase("lock", phase);
        phase = System.Diagnostics.Stopwatch.GetTimestamp();

        var decided = await DecideAsync(batch, states, new PriorOutcomes(locked), locked.Versions, writes, outbox);
        WriterMetrics.RecordPhase("decide", phase);
        phase = System.Diagnostics.Stopwatch.GetTimestamp();
        if (writes.IsEmpty)
        {
            // Nothing to write (e.g. only refusals and repeats): let go of the stream locks.
            await transaction.CommitAsync(_stopping.Token);
        }
        else
        {
            TellDecisions(batch, decided.Answers);
            await SendAsync(connection, transaction, writes, outbox);
        }

        WriterMetrics.RecordPhase("save", phase);
        await CommittedAsync(decided, outbox);
        return decided.Answers;
    }

    /// <summary>
    /// Tells the callers that asked for it (<see cref="FreezeCredits.OnDecided"/>) which holds this
    /// batch is about to commit, so their paid work starts while the commit is on its way (ADR 0018).
    /// </summary>
    private void TellDecisions(List<PendingCommand> batch, object[] answers)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            if (batch[i].Command is FreezeCredits { OnDecided: { } told } && answers[i] is FreezeOutcome { Status: FreezeStatus.Frozen } frozen)
            {
                try
                {
                    told(frozen);
                }
                catch (Exception e)
                {
                    // A caller's mistake must not fail the other callers' commands: it only loses its head start.
                    _logger.LogWarning(e, "A freeze's decision callback failed");
                }
            }
        }
    }

    /// <summary>
    /// Every write, every envelope and, in an explicit transaction, its COMMIT in one round trip:
    /// PostgreSQL runs them in order and stops at the first error, so all of it is durable or none of it.
    /// </summary>
    private async Task SendAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, LedgerBatchWrites writes, LedgerOutbox? outbox)
    {
        await using var write = new NpgsqlBatch(connection, transaction);
        writes.AddTo(write);
        outbox?.AddTo(write);
        if (transaction is not null)
        {
            write.BatchCommands.Add(new NpgsqlBatchCommand("commit"));
        }

        await write.ExecuteNonQueryAsync(_stopping.Token);
    }

    // Only a freeze (its hold's expiry) and a settle carrying a message send anything: a batch
    // without either needs no outbox.
    private LedgerOutbox? NewOutboxFor(List<PendingCommand> batch) =>
        batch.Exists(p => p.Command is FreezeCredits or SettleCredits { Then: not null })
            ? new LedgerOutbox(_runtime ??= _services.GetRequiredService<IWolverineRuntime>())
            : null;

    private sealed record DecidedBatch(object[] Answers, List<Ledger.Ledger> Committed, HashSet<(Guid, DateTimeOffset)> ExpiryChecks, DateTimeOffset Now);

    /// <summary>Decides every command in order on the states, and records the writes and messages that follow.</summary>
    private async Task<DecidedBatch> DecideAsync(
        List<PendingCommand> batch, Dictionary<Guid, Ledger.Ledger?> states, PriorOutcomes priors, Dictionary<Guid, long> versions,
        LedgerBatchWrites writes, LedgerOutbox? outbox)
    {
        var now = _clock.GetUtcNow();
        var appended = new Dictionary<Guid, List<object>>();
        var answers = new object[batch.Count];
        var expiryChecks = new HashSet<(Guid, DateTimeOffset)>();
        for (var i = 0; i < batch.Count; i++)
        {
            var pending = batch[i];
            var decision = LedgerDecider.Decide(states[pending.AccountId], pending.Command, priors.For(pending.AccountId, pending.Command), now, _holds);
            answers[i] = decision.Outcome;
            if (decision.Events.Count == 0)
            {
                continue;
            }

            var state = states[pending.AccountId];
            foreach (var @event in decision.Events)
            {
                state = Ledger.Ledger.Fold(state, @event);
                if (@event is CreditsFrozen frozen && _expiryChecks.DueFor(pending.AccountId, frozen.ExpiresAt, now, expiryChecks) is { } due)
                {
                    await outbox!.Bus.ScheduleAsync(new ExpireDueHolds(pending.AccountId, due), due);
                }
                else if (@event is CreditsSettled && pending.Command is SettleCredits { Then: { } then })
                {
                    // Published with the settle or not at all (see SettleCredits.Then).
                    await outbox!.Bus.PublishAsync(then);
                }
            }

            states[pending.AccountId] = state;
            (appended.TryGetValue(pending.AccountId, out var list) ? list : appended[pending.AccountId] = []).AddRange(decision.Events);

            if (decision.EndedReservation is { } ended)
            {
                writes.Store(ended);
                priors.Remember(ended);
            }

            if (decision.AppliedOperation is { } operation)
            {
                writes.Insert(operation);
                priors.Remember(operation);
            }
        }

        var committed = new List<Ledger.Ledger>(appended.Count);
        foreach (var (accountId, events) in appended)
        {
            long? before = versions.TryGetValue(accountId, out var version) ? version : null;
            writes.Append(accountId, before, events);
            var state = states[accountId]! with { StreamVersion = (before ?? 0) + events.Count };
            writes.Store(state);
            committed.Add(state);
        }

        return new DecidedBatch(answers, committed, expiryChecks, now);
    }

    /// <summary>After the commit: remember the states and checks it made true, and let Wolverine deliver what it sent.</summary>
    private async Task CommittedAsync(DecidedBatch decided, LedgerOutbox? outbox)
    {
        _expiryChecks.Committed(decided.ExpiryChecks, decided.Now);
        if (_cache.Count > _options.MaxCachedLedgers)
        {
            _cache.Clear();
        }

        foreach (var state in decided.Committed)
        {
            _cache[state.Id] = state;
        }

        if (outbox is { IsEmpty: false })
        {
            await outbox.FlushAsync();
        }
    }

    private async Task<Dictionary<Guid, Ledger.Ledger?>> LoadStatesAsync(
        NpgsqlTransaction transaction, Guid[] accounts, Dictionary<Guid, long> versions, LedgerBatchWrites writes)
    {
        var states = new Dictionary<Guid, Ledger.Ledger?>(accounts.Length);
        var misses = new List<Guid>();
        foreach (var account in accounts)
        {
            if (!versions.TryGetValue(account, out var version))
            {
                states[account] = null;
            }
            else if (_cache.TryGetValue(account, out var cached) && cached.StreamVersion == version)
            {
                states[account] = cached;
            }
            else
            {
                misses.Add(account);
            }
        }

        if (misses.Count == 0)
        {
            return states;
        }

        // Marten reads through the batch's own connection and transaction (under its locks).
        await using var session = _store.QuerySession(SessionOptions.ForTransaction(transaction));
        var stored = await LedgerDocuments.LoadManyAsync(session, misses, _stopping.Token);
        foreach (var account in misses)
        {
            if (stored.TryGetValue(account, out var document) && document.StreamVersion == versions[account]
                && document.Holds.Values.Sum(h => h.Amount) == document.Frozen)
            {
                states[account] = document;
                continue;
            }

            // The stored state does not match the stream (written by something else, lost, or from
            // before open holds had rows of their own): the stream is the truth, so fold it, and
            // rewrite the hold rows from the fold.
            var replayed = await session.Events.AggregateStreamAsync<Ledger.Ledger>(account, token: _stopping.Token);
            states[account] = replayed! with { StreamVersion = versions[account] };
            writes.ResyncHolds(states[account]!);
        }

        return states;
    }

    private void ForgetStates(List<PendingCommand> batch)
    {
        foreach (var pending in batch)
        {
            _cache.TryRemove(pending.AccountId, out _);
        }
    }

    private static bool IsRetriable(Exception e) => e switch
    {
        PostgresException pg => pg.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.UniqueViolation,
        MartenCommandException { InnerException: PostgresException inner } => IsRetriable(inner),
        _ => false,
    };
}
