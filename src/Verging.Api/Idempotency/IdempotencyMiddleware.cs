using System.Security.Cryptography;
using System.Text;
using Verging.SharedKernel;

namespace Verging.Api.Idempotency;

/// <summary>
/// <c>Idempotency-Key</c> on POST (DESIGN.md, HTTP conventions): the same key with the same request
/// within 24 h replays the first response (and charges nothing again); the same key with a different
/// request is 422; a duplicate that arrives while the first is still running is 409. Keys are scoped
/// to the caller (account, or the admin) and the route. A response the server failed to produce (5xx),
/// a rate-limit refusal (429, "retry after N s") and an answer the client left before it was whole are
/// not remembered, so the client can retry with the same key; so is a claim whose instance died before
/// answering, once its lease lapses (<see cref="IdempotencyStore.ClaimLease"/>).
/// </summary>
internal sealed class IdempotencyMiddleware(RequestDelegate next, IdempotencyStore store, ILogger<IdempotencyMiddleware> logger)
{
    public const string Header = "Idempotency-Key";
    private const int MaxKeyLength = 255;

    // Responses larger than this are not kept for replay: the key is freed, so a retry runs (and is charged)
    // again. No answer of this API comes near it (files are returned as URLs).
    private const int MaxStoredBody = 4 * 1024 * 1024;

    // Headers that belong to the answer and are replayed with it: what a transcript in srt cost and how long its
    // audio was (X-RateLimit-* are not: a replay is not counted against the limit).
    private static readonly string[] KeptHeaders = ["X-Credits-Consumed", "X-Audio-Duration", "Location"];

    public async Task InvokeAsync(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method) || !context.Request.Headers.TryGetValue(Header, out var values)
            || context.Request.Path.StartsWithSegments("/api/v1/webhooks", StringComparison.Ordinal))
        {
            await next(context);
            return;
        }

        var key = values.ToString();
        if (key.Length is 0 or > MaxKeyLength)
        {
            await ApiError.BadRequest($"{Header}: must be 1 to {MaxKeyLength} characters").ExecuteAsync(context);
            return;
        }

        var scope = Scope(context);
        if (scope is null)
        {
            // Unauthenticated: let authentication answer 401 as usual; nothing to remember.
            await next(context);
            return;
        }

        var hash = await RequestFingerprint.ComputeAsync(context.Request);
        var previous = await store.ClaimAsync(scope, key, hash, context.RequestAborted);
        if (previous is not null)
        {
            await AnswerRepeatAsync(context, previous, hash);
            return;
        }

        await RunAndRememberAsync(context, scope, key);
    }

    private async Task RunAndRememberAsync(HttpContext context, string scope, string key)
    {
        var original = context.Response.Body;
        await using var capture = new HoldingStream(original, MaxStoredBody, context.Response);
        context.Response.Body = capture;
        var remembered = false;
        using var running = new CancellationTokenSource();
        var keepClaimed = store.KeepClaimedAsync(scope, key, logger, running.Token);
        try
        {
            await next(context);
            // Not remembered either: an answer the client never received whole (it left mid-stream), which
            // a replay would hand out as a 200 cut short.
            if (context.Response.StatusCode is < 500 and not StatusCodes.Status429TooManyRequests && !capture.Overflowed
                && !context.RequestAborted.IsCancellationRequested)
            {
                // Recorded before the client sees the answer, so a retry that follows it at once is
                // a replay and never a 409 (only streamed answers are already on their way).
                await store.CompleteAsync(scope, key, context.Response.StatusCode, context.Response.ContentType, capture.Captured,
                    KeptHeaderLines(context.Response), CancellationToken.None);
                remembered = true;
            }
        }
        finally
        {
            await running.CancelAsync();
            await keepClaimed;
            if (!remembered)
            {
                await store.ReleaseAsync(scope, key);
                if (capture.Overflowed)
                {
                    logger.LogInformation("Response under an idempotency key was too large to keep for replay");
                }
            }

            await capture.ReleaseAsync();
            context.Response.Body = original;
        }
    }

    private static async Task AnswerRepeatAsync(HttpContext context, IdempotentRecord previous, byte[] hash)
    {
        if (!CryptographicOperations.FixedTimeEquals(previous.RequestHash, hash))
        {
            await new ApiError(422, ErrorCodes.UnprocessableEntity,
                $"{Header} was already used with a different request; use a new key for a new request").ExecuteAsync(context);
            return;
        }

        if (!previous.Completed)
        {
            await ApiError.Conflict($"A request with this {Header} is still being processed; retry when it has finished").ExecuteAsync(context);
            return;
        }

        context.Response.StatusCode = previous.Status;
        context.Response.Headers["Idempotent-Replayed"] = "true";
        foreach (var line in (previous.Headers ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            context.Response.Headers[line[..colon]] = line[(colon + 2)..];
        }

        if (previous.ContentType is not null)
        {
            context.Response.ContentType = previous.ContentType;
        }

        if (previous.Body is { Length: > 0 } body)
        {
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
        }
    }

    private static string? KeptHeaderLines(HttpResponse response)
    {
        var lines = KeptHeaders.Where(h => response.Headers.ContainsKey(h)).Select(h => $"{h}: {response.Headers[h]}\n").ToList();
        return lines.Count == 0 ? null : string.Concat(lines);
    }

    private static string? Scope(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments("/admin", StringComparison.Ordinal))
        {
            return "admin:" + context.Request.Path;
        }

        var account = context.User.FindFirst(Caller.AccountIdClaim)?.Value;
        return account is null ? null : $"{account}:{context.Request.Path}";
    }

    /// <summary>
    /// Keeps the response (up to a limit) for replays and holds it back from the client until
    /// <see cref="ReleaseAsync"/>, so it can be recorded first. A streamed response (server-sent
    /// events) or one past the limit is passed through as it is written.
    /// </summary>
    private sealed class HoldingStream(Stream inner, int limit, HttpResponse response) : Stream
    {
        private readonly MemoryStream _copy = new();
        private bool _passThrough;
        private long _sent;

        public bool Overflowed { get; private set; }
        public byte[] Captured => _copy.ToArray();

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!_passThrough && response.ContentType?.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase) == true)
            {
                _passThrough = true;
            }

            if (!Overflowed && _copy.Length + buffer.Length > limit)
            {
                // Too large to keep: what was held goes out now, the rest streams through.
                Overflowed = true;
                await SendHeldAsync(cancellationToken);
            }

            if (Overflowed)
            {
                await inner.WriteAsync(buffer, cancellationToken);
                return;
            }

            _copy.Write(buffer.Span);
            if (_passThrough)
            {
                await SendHeldAsync(cancellationToken);
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override Task FlushAsync(CancellationToken cancellationToken) =>
            _passThrough || Overflowed ? inner.FlushAsync(cancellationToken) : Task.CompletedTask;

        public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        /// <summary>Sends what is still held back.</summary>
        public Task ReleaseAsync() => SendHeldAsync(CancellationToken.None);

        /// <summary>Writes the kept bytes the client has not been sent yet.</summary>
        private async Task SendHeldAsync(CancellationToken cancellationToken)
        {
            if (_copy.Length > _sent)
            {
                await inner.WriteAsync(_copy.GetBuffer().AsMemory((int)_sent, (int)(_copy.Length - _sent)), cancellationToken);
                _sent = _copy.Length;
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _copy.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
