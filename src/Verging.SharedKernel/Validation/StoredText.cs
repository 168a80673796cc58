namespace Verging.SharedKernel.Validation;

/// <summary>
/// What free text we store (a key's name, an e-mail, a grant's reason, a job's prompt) may contain. PostgreSQL
/// cannot store NUL in text or jsonb, and a lone UTF-16 surrogate is not Unicode text: either one reached the
/// database as a 500. Names and reasons are single-line labels, so other control characters are refused too.
/// </summary>
public static class StoredText
{
    /// <summary>Why <paramref name="text"/> cannot be stored, or null; line breaks and tabs pass when <paramref name="multiline"/>.</summary>
    public static string? Problem(string? text, bool multiline = false)
    {
        if (text is null)
        {
            return null;
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            if (char.IsSurrogate(c))
            {
                return "must be valid Unicode text (it has a lone surrogate)";
            }

            if (c == '\0' || (char.IsControl(c) && !(multiline && c is '\n' or '\r' or '\t')))
            {
                return multiline ? "must not contain NUL or control characters other than line breaks and tabs" : "must not contain control characters";
            }
        }

        return null;
    }
}
