using FluentValidation;
using JasperFx;
using JasperFx.CodeGeneration;
using JasperFx.CodeGeneration.Frames;
using Wolverine.Http;
using Wolverine.Http.CodeGen;

namespace Verging.Api.Validation;

/// <summary>
/// Puts request validation in front of every Wolverine HTTP endpoint that has a JSON request body:
/// a missing body is refused, and the body's FluentValidation validator, when one is registered, runs
/// before the endpoint. (WolverineFx.Http.FluentValidation is not served here; this is the same idea
/// rendered in the public error format.)
/// </summary>
internal sealed class ValidationPolicy : IHttpPolicy
{
    public void Apply(IReadOnlyList<HttpChain> chains, GenerationRules rules, IServiceContainer container)
    {
        foreach (var chain in chains.Where(c => c.HasRequestType && c.RequestType is not null))
        {
            var type = chain.RequestType!;
            var hasValidator = container.RegistrationsFor(typeof(IValidator<>).MakeGenericType(type)).Any();
            var name = hasValidator ? nameof(ValidationExecutor.Validate) : nameof(ValidationExecutor.RequireBody);
            var method = typeof(ValidationExecutor).GetMethod(name)!.MakeGenericMethod(type);
            var call = new MethodCall(typeof(ValidationExecutor), method);
            chain.Middleware.InsertRange(0, [call, new MaybeEndWithResultFrame(call.ReturnVariable!)]);
        }
    }
}
