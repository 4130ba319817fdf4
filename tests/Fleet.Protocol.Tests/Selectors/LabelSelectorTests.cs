using Fleet.Protocol.Selectors;

namespace Fleet.Protocol.Tests.Selectors;

public class LabelSelectorTests
{
    private static readonly Dictionary<string, string> Berlin = new() { ["site"] = "berlin", ["tier"] = "prod", ["gpu"] = "yes" };
    private static readonly Dictionary<string, string> Canary = new() { ["site"] = "berlin", ["tier"] = "canary" };
    private static readonly Dictionary<string, string> Paris = new() { ["site"] = "paris" };
    private static readonly Dictionary<string, string> Bare = new();

    public static TheoryData<string, string, bool, bool, bool, bool> Table => new()
    {
        // selector, canonical form, matches Berlin, Canary, Paris, Bare
        { "", "", true, true, true, true },
        { "site=berlin", "site=berlin", true, true, false, false },
        { "site==berlin", "site=berlin", true, true, false, false },
        { "site=berlin,tier!=canary", "site=berlin,tier!=canary", true, false, false, false },
        { " site = berlin , tier != canary ", "site=berlin,tier!=canary", true, false, false, false },
        { "tier!=canary", "tier!=canary", true, false, true, true },
        { "site in (berlin,paris)", "site in (berlin,paris)", true, true, true, false },
        { "site in ( paris )", "site in (paris)", false, false, true, false },
        { "site in(paris,paris)", "site in (paris)", false, false, true, false },
        { "site notin (berlin)", "site notin (berlin)", false, false, true, true },
        { "gpu", "gpu", true, false, false, false },
        { "!gpu", "!gpu", false, true, true, true },
        { "! gpu,site", "!gpu,site", false, true, true, false },
        { "fleet.io/site=berlin", "fleet.io/site=berlin", false, false, false, false },
        { "site in (berlin),tier in (prod,edge),gpu", "site in (berlin),tier in (prod,edge),gpu", true, false, false, false },
        { "in=x", "in=x", false, false, false, false },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Parse_GivesTheCanonicalFormAndMatchesAsExpected(
        string text, string canonical, bool berlin, bool canary, bool paris, bool bare)
    {
        var parsed = LabelSelector.Parse(text);

        Assert.True(parsed.Succeeded, parsed.Error);
        Assert.Equal(canonical, parsed.Value.ToString());
        Assert.Equal([berlin, canary, paris, bare], new[] { Berlin, Canary, Paris, Bare }.Select(parsed.Value.Matches));
        Assert.Equal(canonical, LabelSelector.Parse(canonical).Value!.ToString());
    }

    [Theory]
    [InlineData("site=", "at 5: expected a label value, found the end")]
    [InlineData("=berlin", "at 0: expected a label key, found '='")]
    [InlineData("site=berlin,", "at 12: expected a label key, found the end")]
    [InlineData(",site", "at 0: expected a label key, found ','")]
    [InlineData("site berlin", "at 5: expected '=', '==', '!=', 'in', 'notin', ',' or the end after key 'site', found 'b'")]
    [InlineData("site in berlin", "at 8: expected '(' after 'in', found 'b'")]
    [InlineData("site in (berlin", "at 15: expected ',' or ')' in the value list, found the end")]
    [InlineData("site in ()", "at 9: expected a label value, found ')'")]
    [InlineData("site notin (a;b)", "at 13: expected ',' or ')' in the value list, found ';'")]
    [InlineData("site=ber lin", "at 9: expected ',' between terms, found 'l'")]
    [InlineData("site=a/b", "at 6: expected ',' between terms, found '/'")]
    [InlineData("!", "at 1: expected a label key, found the end")]
    [InlineData("-site", "at 0: expected a label key, found '-'")]
    [InlineData("site=*", "at 5: expected a label value, found '*'")]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234", "at 0: a label key is longer than 63 characters")]
    public void Parse_WhenTheTextIsNotASelector_SaysWhereAndWhat(string text, string expected)
    {
        var parsed = LabelSelector.Parse(text);

        Assert.False(parsed.Succeeded);
        Assert.Equal($"selector '{text}': {expected}", parsed.Error);
    }

    [Fact]
    public void Parse_WhenNull_Fails() => Assert.False(LabelSelector.Parse(null).Succeeded);
}
