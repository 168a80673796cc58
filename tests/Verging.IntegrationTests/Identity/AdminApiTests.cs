using Verging.IntegrationTests.Infrastructure;

namespace Verging.IntegrationTests.Identity;

[Collection(SharedHostCollection.Name)]
public sealed class AdminApiTests(VergingHost fixture)
{
    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong-token")]
    [InlineData("Bearer test-admin-token-012345678")]
    [InlineData("ApiKey vrg_sk_whatever")]
    public async Task A_wrong_or_missing_admin_token_is_401(string? header)
    {
        var result = await fixture.Host.Scenario(s =>
        {
            s.Post.Url("/admin/v1/accounts");
            s.JsonBody("""{"email":"x@example.com"}""");
            if (header is not null)
            {
                s.WithRequestHeader("Authorization", header);
            }

            s.StatusCodeShouldBe(401);
        });
        await result.ShouldBeError(40100);
    }

    [Theory]
    [InlineData("""{"email":"not-an-email"}""", "email")]
    [InlineData("""{}""", "email")]
    [InlineData("""{"email":"a@example.com","credits":-5}""", "credits")]
    [InlineData("""{"email":"a\u0000b@example.com"}""", "email")]
    public async Task Bad_account_requests_are_400_naming_the_field(string body, string field)
    {
        var result = await Admin(body, 400);
        (await result.ShouldBeError(40000)).ShouldStartWith(field + ":");
    }

    [Fact]
    public async Task An_email_can_open_one_account_only()
    {
        var email = $"dup-{Guid.NewGuid():N}@example.com";
        await fixture.CreateAccountAsync(email: email);
        var result = await Admin($$"""{"email":"{{email.ToUpperInvariant()}}"}""", 409);
        (await result.ShouldBeError(40900)).ShouldContain("already exists");
    }

    [Fact]
    public async Task A_new_account_shows_its_opening_credits_as_soon_as_it_is_created()
    {
        // No tracking, no waiting: the 201 itself must mean the ledger holds the credits.
        for (var i = 0; i < 5; i++)
        {
            var created = await (await Admin($$"""{"email":"open-{{Guid.NewGuid():N}}@example.com","credits":{{100 + i}}}""", 201)).Json();
            (await fixture.Host.CreditsOfAsync(created["api_key"]!.GetValue<string>())).ShouldBe((100L + i, 0L));
        }
    }

    private Task<Alba.IScenarioResult> Admin(string body, int status) =>
        fixture.Host.Scenario(s =>
        {
            s.Post.Url("/admin/v1/accounts");
            s.JsonBody(body);
            s.WithRequestHeader("Authorization", $"Bearer {VergingHost.AdminToken}");
            s.StatusCodeShouldBe(status);
        });
}

/// <summary>A host started without VERGING_ADMIN_TOKEN: the admin API must not exist at all.</summary>
public sealed class HostWithoutAdminToken : VergingHost
{
    protected override string? ConfiguredAdminToken => null;
}

public sealed class AdminApiDisabledTests(HostWithoutAdminToken fixture) : IClassFixture<HostWithoutAdminToken>
{
    [Theory]
    [InlineData("/admin/v1/accounts", null)]
    [InlineData("/admin/v1/accounts", "Bearer test-admin-token-0123456789")]
    [InlineData("/admin/v1/anything/else", "Bearer ")]
    public async Task Every_admin_route_is_404_without_a_configured_token(string url, string? header)
    {
        var result = await fixture.Host.Scenario(s =>
        {
            s.Post.Url(url);
            s.JsonBody("""{"email":"x@example.com"}""");
            if (header is not null)
            {
                s.WithRequestHeader("Authorization", header);
            }

            s.StatusCodeShouldBe(404);
        });
        await result.ShouldBeError(40400);
    }
}
