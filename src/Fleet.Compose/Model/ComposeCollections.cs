using System.Collections.Immutable;

namespace Fleet.Compose.Model;

/// <summary>
/// Every map in the model is sorted by ordinal key so that the canonical form does not depend
/// on the order keys were written in a file.
/// </summary>
public static class ComposeCollections
{
    public static ImmutableSortedDictionary<string, T> EmptyMap<T>() =>
        ImmutableSortedDictionary.Create<string, T>(StringComparer.Ordinal);

    public static ImmutableSortedDictionary<string, T> ToMap<T>(IEnumerable<KeyValuePair<string, T>> items) =>
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, items);
}
