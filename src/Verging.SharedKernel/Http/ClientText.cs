namespace Verging.SharedKernel.Http;

/// <summary>A header or parameter name the client sent, fit to be echoed in an error message.</summary>
public static class ClientText
{
    /// <summary>The text itself when it is short printable ASCII; otherwise a placeholder (no control characters or pages of junk in a message).</summary>
    public static string Echo(string text) =>
        text.Length is > 0 and <= 40 && text.All(c => c is >= ' ' and <= '~') ? text : "(unreadable)";
}
