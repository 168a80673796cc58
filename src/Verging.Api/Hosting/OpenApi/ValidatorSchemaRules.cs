using System.Globalization;
using System.Reflection;
using FluentValidation;
using FluentValidation.Validators;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Verging.Api.Hosting.OpenApi;

/// <summary>
/// A request body's schema says what its validator enforces: required only where a rule demands a value
/// (the generator marks every constructor parameter of a record required, which made model, temperature and
/// stream look mandatory), and the lengths and ranges the rules check. The validators stay the one place
/// these limits are written.
/// </summary>
internal static class ValidatorSchemaRules
{
    public static Task ApplyAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellation)
    {
        if (context.JsonPropertyInfo is not null || schema.Properties is not { Count: > 0 }
            || context.ApplicationServices.GetService(typeof(IValidator<>).MakeGenericType(context.JsonTypeInfo.Type)) is not IValidator validator)
        {
            return Task.CompletedTask;
        }

        var descriptor = validator.CreateDescriptor();
        var required = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in context.JsonTypeInfo.Properties)
        {
            if (property.AttributeProvider is not MemberInfo member || !schema.Properties.TryGetValue(property.Name, out var described)
                || described is not OpenApiSchema target)
            {
                continue;
            }

            // A plain number whose rules refuse its default (credits: 0) must be sent, though nothing says NotNull.
            if (!IsNullable(property.PropertyType) && !Satisfied(descriptor, property.Name, member.Name, property.PropertyType))
            {
                required.Add(property.Name);
            }

            // Rules are filed under the name the global resolver gives (snake_case, as clients know it).
            foreach (var (rule, _) in descriptor.GetValidatorsForMember(property.Name).Concat(descriptor.GetValidatorsForMember(member.Name)))
            {
                switch (rule)
                {
                    case INotNullValidator or INotEmptyValidator:
                        required.Add(property.Name);
                        break;
                    case ILengthValidator length:
                        target.MaxLength = length.Max > 0 ? length.Max : target.MaxLength;
                        target.MinLength = length.Min > 0 ? length.Min : target.MinLength;
                        break;
                    case IBetweenValidator between:
                        target.Minimum = Convert.ToString(between.From, CultureInfo.InvariantCulture);
                        target.Maximum = Convert.ToString(between.To, CultureInfo.InvariantCulture);
                        break;
                }
            }
        }

        schema.Required = required;
        return Task.CompletedTask;
    }

    private static bool IsNullable(Type type) => !type.IsValueType || Nullable.GetUnderlyingType(type) is not null;

    // Whether the member's rules accept the type's default value (0, false), checked with the rules themselves.
    private static bool Satisfied(IValidatorDescriptor descriptor, string jsonName, string memberName, Type type)
    {
        var zero = Activator.CreateInstance(type);
        foreach (var (rule, _) in descriptor.GetValidatorsForMember(jsonName).Concat(descriptor.GetValidatorsForMember(memberName)))
        {
            switch (rule)
            {
                case IBetweenValidator between when between.From is IComparable from && between.To is IComparable to
                    && (from.CompareTo(Convert.ChangeType(zero, from.GetType(), CultureInfo.InvariantCulture)) > 0
                        || to.CompareTo(Convert.ChangeType(zero, to.GetType(), CultureInfo.InvariantCulture)) < 0):
                    return false;
                case IComparisonValidator { Comparison: Comparison.NotEqual } comparison when Equals(
                    Convert.ChangeType(comparison.ValueToCompare, type, CultureInfo.InvariantCulture), zero):
                    return false;
            }
        }

        return true;
    }
}
