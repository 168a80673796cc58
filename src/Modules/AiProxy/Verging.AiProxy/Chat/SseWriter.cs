using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Verging.AiProxy.Chat;

/// <summary>
/// Writes Server-Sent Events (<c>data: {json}\n\n</c>) into the response pipe. Content events are
/// buffered until <see cref="FlushAsync"/>: the caller flushes whenever the upstream has nothing
/// more ready, so a chunk never waits for the next one, but chunks that arrived together leave in
/// one write instead of one send each. Other events are flushed at once.
/// </summary>
internal sealed class SseWriter(HttpResponse response)
{
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();
    private readonly PipeWriter _pipe = response.BodyWriter;

    /// <summary>True while written events have not been flushed to the client.</summary>
    public bool HasPending { get; private set; }

    public static void Start(HttpResponse response)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        // Proxies such as nginx must not buffer the stream.
        response.Headers["X-Accel-Buffering"] = "no";
    }

    /// <summary>Buffers one content event; it leaves with the next <see cref="FlushAsync"/>.</summary>
    public void WriteContent(string content) =>
        Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("content", content);
            w.WriteEndObject();
        });

    public async Task FlushAsync(CancellationToken cancellation)
    {
        HasPending = false;
        await _pipe.FlushAsync(cancellation);
    }

    public Task WriteEventAsync(Action<Utf8JsonWriter> write, CancellationToken cancellation)
    {
        Write(write);
        return FlushAsync(cancellation);
    }

    public Task WriteDoneAsync(CancellationToken cancellation)
    {
        _pipe.Write(Done);
        return FlushAsync(cancellation);
    }

    private void Write(Action<Utf8JsonWriter> write)
    {
        _pipe.Write("data: "u8);
        using (var json = new Utf8JsonWriter(_pipe))
        {
            write(json);
        }

        _pipe.Write("\n\n"u8);
        HasPending = true;
    }
}
