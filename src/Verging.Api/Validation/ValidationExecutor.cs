using System.Text.Json;
using FluentValidation;
using Verging.SharedKernel;
using Wolverine.Http;

namespace Verging.Api.Validation;

/// <summary>Called by generated endpoint code (see <see cref="ValidationPolicy"/>); public for that reason.</summary>
public static class ValidationExecutor
{
    private static readonly IResult MissingBody = ApiError.BadRequest("Request body is required");

    public static IResult RequireBody<T>(T? body) => body is null ? MissingBody : WolverineContinue.Result();

    // Synchronous on purpose: no validator has asynchronous rules (FluentValidation throws if one
    // ever does), and the asynchronous path cost measurable time on every request.
    public static Task<IResult> Validate<T>(IValidator<T> validator, T? body) => Task.FromResult(Check(validator, body));

    private static IResult Check<T>(IValidator<T> validator, T? body)
    {
        if (body is null)
        {
            return MissingBody;
        }

        var result = validator.Validate(body);
        if (result.IsValid)
        {
            return WolverineContinue.Result();
        }

        return ApiError.BadRequest(SharedKernel.Validation.RequestValidation.Describe(
            result.Errors.Select(e => (e.PropertyName, e.ErrorMessage))));
    }

    /// <summary>FluentValidation names members the C# way; clients know them in snake_case.</summary>
    public static void UseSnakeCaseNames()
    {
        ValidatorOptions.Global.PropertyNameResolver = (_, member, _) =>
            member is null ? null : JsonNamingPolicy.SnakeCaseLower.ConvertName(member.Name);
        ValidatorOptions.Global.DisplayNameResolver = (_, member, _) =>
            member is null ? null : JsonNamingPolicy.SnakeCaseLower.ConvertName(member.Name);
    }
}
