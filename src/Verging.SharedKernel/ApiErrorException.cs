namespace Verging.SharedKernel;

/// <summary>
/// Thrown where an <see cref="ApiError"/> cannot be returned (deep in a pipeline); the host's
/// exception handler renders <see cref="Error"/> as it is, with no stack trace.
/// </summary>
public sealed class ApiErrorException : Exception
{
    public ApiErrorException(ApiError error) : base(error?.Message) => Error = error!;

    public ApiErrorException() : this(new ApiError(500, ErrorCodes.InternalError, "Internal error")) { }

    public ApiErrorException(string message) : this(new ApiError(500, ErrorCodes.InternalError, message)) { }

    public ApiErrorException(string message, Exception innerException) : base(message, innerException) =>
        Error = new ApiError(500, ErrorCodes.InternalError, message);

    public ApiError Error { get; }
}
