namespace Verging.SharedKernel.Http;

/// <summary>
/// Marks a JSON endpoint whose body fields are all optional: a request with no body at all is read as
/// <c>{}</c> (the defaults) instead of being refused as malformed JSON. A body that is present is read as sent.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class OptionalJsonBodyAttribute : Attribute;
