using Verging.IntegrationTests.Infrastructure;

namespace Verging.IntegrationTests.AiProxy;

[CollectionDefinition(Name)]
public sealed class UpstreamHostCollection : ICollectionFixture<UpstreamHost>
{
    public const string Name = "upstream host";
}
