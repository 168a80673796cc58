namespace Verging.SharedKernel.Validation;

/// <summary>Formats shape-validation failures into the one message of a 400/40000 error.</summary>
public static class RequestValidation
{
    /// <summary>"field: problem; other_field: problem" — names the fields the way the client sent them.</summary>
    public static string Describe(IEnumerable<(string Field, string Problem)> failures) =>
        string.Join("; ", failures.Select(f => string.IsNullOrEmpty(f.Field) ? f.Problem : $"{f.Field}: {f.Problem}"));
}
