using CsCheck;
using Fleet.Protocol.Selectors;

namespace Fleet.Protocol.Tests.Selectors;

/// <summary>Random selectors against an oracle written from the documented semantics, and the canonical form as a fixed point.</summary>
public class LabelSelectorPropertyTests
{
    private const string Alnum = "abcXYZ019";
    private static readonly Gen<string> Key = Name(Alnum + "._-/");
    private static readonly Gen<string> Value = Name(Alnum + "._-");
    private static readonly Gen<string> Space = Gen.Char[" "].Array[0, 2].Select(chars => new string(chars));

    private static readonly Gen<(string Text, Func<IReadOnlyDictionary<string, string>, bool> Oracle)> Term =
        Gen.Select(Gen.Int[0, 5], Key, Value.Array[1, 3], Space, (op, key, values, space) => op switch
        {
            0 => ($"{key}{space}={space}{values[0]}", (Func<IReadOnlyDictionary<string, string>, bool>)(l => l.TryGetValue(key, out var v) && v == values[0])),
            1 => ($"{key}{space}!={space}{values[0]}", l => !l.TryGetValue(key, out var v) || v != values[0]),
            2 => ($"{key} in{space}({string.Join("," + space, values)})", l => l.TryGetValue(key, out var v) && values.Contains(v)),
            3 => ($"{key} notin ({string.Join(',', values)}{space})", l => !l.TryGetValue(key, out var v) || !values.Contains(v)),
            4 => (key, l => l.ContainsKey(key)),
            _ => ($"!{space}{key}", l => !l.ContainsKey(key)),
        });

    private static readonly Gen<Dictionary<string, string>> Labels =
        Gen.Select(Name(Alnum).Array[0, 4], Value.Array[4], (keys, values) =>
        {
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < keys.Length; i++)
            {
                labels[keys[i]] = values[i];
            }

            return labels;
        });

    [Fact]
    public void Parse_MatchesLikeTheOracleAndItsCanonicalFormIsAFixedPoint()
    {
        Gen.Select(Term.Array[1, 4], Labels).Sample((terms, labels) =>
        {
            var text = string.Join(" , ", terms.Select(t => t.Text));
            var parsed = LabelSelector.Parse(text);
            Assert.True(parsed.Succeeded, parsed.Error);

            var canonical = parsed.Value.ToString();
            var reparsed = LabelSelector.Parse(canonical);
            Assert.True(reparsed.Succeeded, reparsed.Error);
            Assert.Equal(canonical, reparsed.Value.ToString());

            var expected = terms.All(t => t.Oracle(labels));
            Assert.Equal(expected, parsed.Value.Matches(labels));
            Assert.Equal(expected, reparsed.Value.Matches(labels));
        });
    }

    // Keys and values are short and drawn from few characters, so terms often hit the labels.
    private static Gen<string> Name(string rest) =>
        Gen.Select(Gen.Char[Alnum], Gen.Char[rest].Array[0, 2], (first, tail) => first + new string(tail));
}
