using Verging.Identity.ApiKeys;

namespace Verging.UnitTests.Identity;

public sealed class ApiKeyFormatTests
{
    [Fact]
    public void A_generated_key_is_well_formed_with_the_documented_prefix()
    {
        var key = ApiKeyFormat.Generate();
        key.ShouldStartWith("vrg_sk_");
        key.Length.ShouldBe(ApiKeyFormat.TotalLength);
        key[7..].ShouldMatch("^[0-9A-Za-z]+$");
        ApiKeyFormat.IsWellFormed(key).ShouldBeTrue();
    }

    [Fact]
    public void The_random_part_carries_at_least_190_bits()
    {
        (ApiKeyFormat.RandomLength * Math.Log2(62)).ShouldBeGreaterThanOrEqualTo(190);
    }

    [Fact]
    public void Keys_do_not_repeat()
    {
        var keys = Enumerable.Range(0, 2000).Select(_ => ApiKeyFormat.Generate()).ToHashSet();
        keys.Count.ShouldBe(2000);
    }

    [Fact]
    public void Any_single_character_change_is_caught_by_the_checksum_or_the_alphabet()
    {
        var key = ApiKeyFormat.Generate();
        var caught = 0;
        var total = 0;
        for (var i = 7; i < key.Length; i++)
        {
            foreach (var replacement in "0aZ_-")
            {
                if (key[i] == replacement)
                {
                    continue;
                }

                total++;
                var typo = key[..i] + replacement + key[(i + 1)..];
                if (!ApiKeyFormat.IsWellFormed(typo))
                {
                    caught++;
                }
            }
        }

        caught.ShouldBe(total);
    }

    [Theory]
    [InlineData("")]
    [InlineData("vrg_sk_")]
    [InlineData("vrg_pk_0123456789012345678901234567890123456789012345678")]
    [InlineData("VRG_SK_0123456789012345678901234567890123456789012345678")]
    public void Malformed_keys_are_refused(string key) => ApiKeyFormat.IsWellFormed(key).ShouldBeFalse();

    [Fact]
    public void A_truncated_or_extended_key_is_refused()
    {
        var key = ApiKeyFormat.Generate();
        ApiKeyFormat.IsWellFormed(key.AsSpan(0, key.Length - 1)).ShouldBeFalse();
        ApiKeyFormat.IsWellFormed(key + "A").ShouldBeFalse();
    }

    [Fact]
    public void The_hash_is_sha256_hex_and_the_display_prefix_shows_four_random_characters()
    {
        var key = ApiKeyFormat.Generate();
        ApiKeyFormat.Hash(key).ShouldMatch("^[0-9a-f]{64}$");
        ApiKeyFormat.Hash(key).ShouldBe(ApiKeyFormat.Hash(key));
        ApiKeyFormat.DisplayPrefix(key).ShouldBe(key[..11]);
    }

    [Fact]
    public void Status_reflects_revocation_and_expiry()
    {
        var now = DateTimeOffset.UtcNow;
        var (_, key) = IssueApiKey.For(Guid.NewGuid(), "k", now, now.AddMinutes(1));
        key.Status(now).ShouldBe("active");
        key.Status(now.AddMinutes(1)).ShouldBe("expired");
        (key with { RevokedAt = now }).Status(now).ShouldBe("revoked");
    }
}
