using Microsoft.AspNetCore.Http.Metadata;

namespace Verging.Api.Errors;

/// <summary>
/// Enforces a per-endpoint request body limit (<see cref="IRequestSizeLimitMetadata"/>, default
/// <see cref="DefaultLimitBytes"/>) so that an oversize body is a 413/41300, whoever reads the body.
/// Wolverine's JSON reader turns any stream failure into a bare 400, so the overflow is also
/// recorded on the request for <see cref="PublicErrorWriter"/> to report as 413.
/// </summary>
internal sealed class RequestBodyLimit(RequestDelegate next, long defaultLimitBytes)
{
    public const long DefaultLimitBytes = 1024 * 1024;

    public Task InvokeAsync(HttpContext context)
    {
        var limit = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? defaultLimitBytes;
        if (context.Request.ContentLength is { } declared && declared > limit)
        {
            return TooLarge(context, limit);
        }

        context.Request.Body = new LimitedReadStream(context.Request.Body, limit, () => Flag(context, limit));
        return next(context);
    }

    private static string Flag(HttpContext context, long limit)
    {
        var message = $"Request body too large: the limit for this endpoint is {limit} bytes";
        context.Items[PublicErrorWriter.BodyTooLargeItem] = message;
        return message;
    }

    private static Task TooLarge(HttpContext context, long limit)
    {
        context.Response.StatusCode = 413;
        return SharedKernel.ApiError.WriteBodyAsync(context.Response,
            new SharedKernel.ApiError(413, SharedKernel.ErrorCodes.PayloadTooLarge, Flag(context, limit)));
    }

    private sealed class LimitedReadStream(Stream inner, long limit, Func<string> onOverflow) : Stream
    {
        private long _read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Count(await inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken));

        private int Count(int n)
        {
            _read += n;
            if (_read > limit)
            {
                throw new BadHttpRequestException(onOverflow(), StatusCodes.Status413PayloadTooLarge);
            }

            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
