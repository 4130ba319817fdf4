namespace Fleet.Compose.Tests.Yaml;

public class YamlTreeReaderTests
{
    [Fact]
    public void Load_WithMergeKeyFromAnchor_TakesAnchoredKeysButExplicitKeysWin()
    {
        var project = TestLoader.Project("""
            x-base: &base
              image: busybox:1
              restart: always
              labels: {a: "1"}
            services:
              web:
                <<: *base
                restart: "no"
            """);

        var web = project.Services["web"];
        Assert.Equal("busybox:1", web.Image);
        Assert.Equal("no", web.Restart);
        Assert.Equal("1", web.Labels["a"]);
    }

    [Fact]
    public void Load_WithMergeKeyList_EarlierMappingWins()
    {
        var web = TestLoader.Project("""
            x-a: &a {image: first, user: alice}
            x-b: &b {image: second, hostname: box}
            services:
              web:
                <<: [*a, *b]
            """).Services["web"];

        Assert.Equal(("first", "alice", "box"), (web.Image, web.User, web.Hostname));
    }

    [Fact]
    public void Load_WithDuplicateKey_ReportsBothLines()
    {
        var errors = TestLoader.Errors("""
            services:
              web:
                image: a
                image: b
            """);

        Assert.Contains("compose.yaml:4:5: duplicate key \"image\" (first at line 3)", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WithBillionLaughs_IsRefusedQuickly()
    {
        var yaml = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
        for (var level = 1; level < 12; level++)
        {
            var previous = (char)('a' + level - 1);
            var name = (char)('a' + level);
            yaml += $"{name}: &{name} [{string.Join(", ", Enumerable.Repeat("*" + previous, 10))}]\n";
        }

        var errors = TestLoader.Errors(yaml + "services: {web: {image: x}}\n");

        Assert.Contains("billion laughs", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WithNestingBeyondLimit_IsRefused()
    {
        var yaml = "services:\n  web:\n    image: x\n    x-deep: " + new string('[', 500) + new string(']', 500) + "\n";

        var errors = TestLoader.Errors(yaml);

        Assert.Contains("nesting deeper than 64 levels", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WithInvalidYaml_NamesLineAndColumn()
    {
        var errors = TestLoader.Errors("services:\n  web:\n    image: [unclosed\n");

        Assert.Matches(@"compose\.yaml:\d+:\d+: invalid YAML: ", errors);
    }

    [Fact]
    public void Load_WithTwoDocuments_IsRefused()
    {
        var errors = TestLoader.Errors("services: {web: {image: x}}\n---\nservices: {}\n");

        Assert.Contains("one YAML document", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WithUnknownAlias_IsRefused()
    {
        var errors = TestLoader.Errors("services:\n  web: *nothing\n");

        Assert.Contains("unknown alias \"*nothing\"", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WithMalformedFlowCollectionThatTripsTheParser_IsAnErrorNotAnException()
    {
        var errors = TestLoader.Errors("services: {\n$  svc0: {restart: 'always', ports: [{protocol: tcp}]-, image: \"busybox:1\"},\n");

        Assert.Contains("invalid YAML", errors, StringComparison.Ordinal);
    }
}
