using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Verging.AiProxy.Chat;

/// <summary>
/// Writes Server-Sent Events to the response, one whole event (<c>data: {json}\n\n</c>) per write,
/// flushed at once so every chunk leaves as soon as it arrives.
/// </summary>
internal sealed class SseWriter(HttpResponse response)
{
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();
    private readonly ArrayBufferWriter<byte> _buffer = new(256);

    public static void Start(HttpResponse response)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        // Proxies such as nginx must not buffer the stream.
        response.Headers["X-Accel-Buffering"] = "no";
    }

    public Task WriteContentAsync(string content, CancellationToken cancellation) =>
        WriteEventAsync(w =>
        {
            w.WriteStartObject();
            w.WriteString("content", content);
            w.WriteEndObject();
        }, cancellation);

    public async Task WriteEventAsync(Action<Utf8JsonWriter> write, CancellationToken cancellation)
    {
        _buffer.ResetWrittenCount();
        _buffer.Write("data: "u8);
        using (var json = new Utf8JsonWriter(_buffer))
        {
            write(json);
        }

        _buffer.Write("\n\n"u8);
        await response.Body.WriteAsync(_buffer.WrittenMemory, cancellation);
        await response.Body.FlushAsync(cancellation);
    }

    public async Task WriteDoneAsync(CancellationToken cancellation)
    {
        await response.Body.WriteAsync(Done, cancellation);
        await response.Body.FlushAsync(cancellation);
    }
}
