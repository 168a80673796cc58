using Wolverine.Http;

namespace Verging.IntegrationTests.Infrastructure;

/// <summary>A test-only endpoint (the fixture adds this assembly to discovery) that fails the way a bug would.</summary>
public static class FaultEndpoint
{
    public const string Route = "/test/unhandled-exception";

    [WolverineGet(Route)]
    public static string Get() => throw new InvalidOperationException("boom: at Verging.Secret.Internals line 42");
}
