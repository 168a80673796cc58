namespace Verging.SharedKernel;

/// <summary>
/// The error codes of the public API. The reference names 40000 and 40001; every other status
/// uses status × 100 (DESIGN.md, "HTTP conventions").
/// </summary>
public static class ErrorCodes
{
    public const int BadRequest = 40000;
    public const int InsufficientCredits = 40001;
    public const int Unauthorized = 40100;
    public const int Forbidden = 40300;
    public const int NotFound = 40400;
    public const int MethodNotAllowed = 40500;
    public const int Conflict = 40900;
    public const int PayloadTooLarge = 41300;
    public const int UnsupportedMediaType = 41500;
    /// <summary>A file URL's Range starts past the file's end.</summary>
    public const int RangeNotSatisfiable = 41600;
    public const int UnprocessableEntity = 42200;
    public const int TooManyRequests = 42900;
    /// <summary>Recorded in usage only (never sent): the client closed the request before its answer (nginx's 499).</summary>
    public const int ClientClosedRequest = 49900;
    public const int InternalError = 50000;
    public const int BadGateway = 50200;
    public const int ServiceUnavailable = 50300;

    /// <summary>The code for a status when nothing more specific applies.</summary>
    public static int ForStatus(int status) => status == 400 ? BadRequest : status * 100;
}
