using System.Net;
using Microsoft.AspNetCore.Hosting;

namespace Verging.IntegrationTests.Jobs;

/// <summary>A host that keeps outputs for five seconds.</summary>
public sealed class ShortRetentionHost : JobsHost
{
    protected override void Configure(IWebHostBuilder builder)
    {
        base.Configure(builder);
        builder.UseSetting("Jobs:OutputRetention", "00:00:05");
    }
}

public sealed class OutputRetentionTests(ShortRetentionHost fixture) : IClassFixture<ShortRetentionHost>
{
    [Fact]
    public async Task Outputs_past_their_retention_are_deleted_and_the_job_expires()
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 5);
        var job = await fixture.Api.CreateAndRunAsync(key, new JobRequest("/api/v1/background-removal/create-job",
            [("file_name", "photo.png")], [("image", await JobMedia.ImageAsync(), "photo.png", "image/png")]));
        job["status"]!.GetValue<string>().ShouldBe("completed");
        var url = new Uri(job["outputs"]![0]!["url"]!.GetValue<string>());

        var expired = await fixture.Api.WaitForStatusAsync(key, job["job_id"]!.GetValue<string>(), "expired", TimeSpan.FromSeconds(30));

        expired["outputs"]!.AsArray().ShouldBeEmpty();
        expired["credits_consumed"]!.GetValue<long>().ShouldBe(1);
        using var client = fixture.Host.Server.CreateClient();
        (await client.GetAsync(url.PathAndQuery)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await fixture.Api.CreditsAsync(key)).ShouldBe((4, 0));
    }
}
