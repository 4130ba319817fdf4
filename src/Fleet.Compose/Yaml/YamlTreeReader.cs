using Fleet.Compose.Loading;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Fleet.Compose.Yaml;

/// <summary>
/// Builds a <see cref="YamlNode"/> tree from YamlDotNet's low-level parser events, without recursion,
/// refusing duplicate keys, too deep nesting and alias expansion beyond the limit, and applying merge keys.
/// </summary>
internal static class YamlTreeReader
{
    private const string MergeKey = "<<";

    public static YamlNode? Read(string file, string text, ComposeLimits limits, DiagnosticBag diagnostics)
    {
        var builder = new Builder(file, limits, diagnostics);
        try
        {
            return builder.Build(text);
        }
        catch (YamlException e)
        {
            var message = e.InnerException is null ? e.Message : e.InnerException.Message;
            diagnostics.Error(Mark(file, e.Start), null, null, "invalid YAML: " + TrimMarkPrefix(message));
            return null;
        }
        catch (LimitExceededException e)
        {
            diagnostics.Error(e.Mark, null, null, e.Message);
            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's parser throws this (not a YamlException) on some malformed flow collections.
            diagnostics.Error(builder.LastMark, null, null, "invalid YAML: malformed flow collection ({ } or [ ]) after this point");
            return null;
        }
    }

    private static SourceMark Mark(string file, Mark mark) => new(file, (int)mark.Line, (int)mark.Column);

    // YamlDotNet prefixes its messages with "(Line: 1, Col: 2, Idx: 3) - (Line: ...): "; we print our own position.
    private static string TrimMarkPrefix(string message)
    {
        var index = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith('(') && index > 0 ? message[(index + 3)..] : message;
    }

    private sealed class LimitExceededException(SourceMark mark, string message) : Exception(message)
    {
        public SourceMark Mark { get; } = mark;
    }

    private abstract class Frame(SourceMark mark, string? anchor)
    {
        public SourceMark Mark { get; } = mark;

        public string? Anchor { get; } = anchor;

        public abstract void Add(YamlNode node);
    }

    private sealed class SequenceFrame(SourceMark mark, string? anchor) : Frame(mark, anchor)
    {
        public List<YamlNode> Items { get; } = [];

        public override void Add(YamlNode node) => Items.Add(node);
    }

    private sealed class MappingFrame(SourceMark mark, string? anchor, DiagnosticBag diagnostics) : Frame(mark, anchor)
    {
        private YamlScalar? _pendingKey;

        public List<KeyValuePair<YamlScalar, YamlNode>> Entries { get; } = [];

        public List<YamlNode> Merges { get; } = [];

        public override void Add(YamlNode node)
        {
            if (_pendingKey is null)
            {
                if (node is YamlScalar scalar)
                {
                    _pendingKey = scalar;
                }
                else
                {
                    diagnostics.Error(node, null, null, "a mapping key must be a plain value, not " + node.KindName);
                    _pendingKey = new YamlScalar(node.Mark, "\0invalid", isPlain: false);
                }

                return;
            }

            var key = _pendingKey;
            _pendingKey = null;
            if (key.Value == "\0invalid")
            {
                return;
            }

            if (key.IsPlain && key.Value == MergeKey)
            {
                Merges.Add(node);
                return;
            }

            foreach (var existing in Entries)
            {
                if (existing.Key.Value == key.Value)
                {
                    diagnostics.Error(key, null, null, $"duplicate key \"{key.Value}\" (first at line {existing.Key.Mark.Line})");
                    return;
                }
            }

            Entries.Add(new(key, node));
        }
    }

    private sealed class Builder(string file, ComposeLimits limits, DiagnosticBag diagnostics)
    {
        private readonly Dictionary<string, YamlNode> _anchors = new(StringComparer.Ordinal);
        private readonly Stack<Frame> _frames = new();
        private long _expanded;

        public SourceMark LastMark { get; private set; } = new(file, 1, 1);

        public YamlNode? Build(string text)
        {
            var parser = new Parser(new StringReader(text));
            YamlNode? root = null;
            var documents = 0;
            while (parser.MoveNext())
            {
                var current = parser.Current!;
                LastMark = Mark(file, current.Start);
                switch (current)
                {
                    case DocumentStart:
                        documents++;
                        if (documents > 1)
                        {
                            diagnostics.Error(Mark(file, current.Start), null, null, "a compose file holds one YAML document; remove the extra \"---\" document");
                            return root;
                        }

                        break;
                    case Scalar scalar:
                        Complete(Named(scalar, new YamlScalar(
                            Mark(file, scalar.Start),
                            scalar.Value,
                            scalar.Style is ScalarStyle.Plain or ScalarStyle.Any && scalar.Tag.IsEmpty)), ref root);
                        break;
                    case AnchorAlias alias:
                        if (!_anchors.TryGetValue(alias.Value.Value, out var target))
                        {
                            throw new LimitExceededException(Mark(file, alias.Start), $"unknown alias \"*{alias.Value.Value}\"");
                        }

                        _expanded += target.Size;
                        if (_expanded > limits.MaxAliasExpansion)
                        {
                            throw new LimitExceededException(
                                Mark(file, alias.Start),
                                $"aliases expand to more than {limits.MaxAliasExpansion} nodes: refused (a \"billion laughs\" file?)");
                        }

                        Complete(target, ref root);
                        break;
                    case SequenceStart start:
                        Push(new SequenceFrame(Mark(file, start.Start), AnchorOf(start)));
                        break;
                    case MappingStart start:
                        Push(new MappingFrame(Mark(file, start.Start), AnchorOf(start), diagnostics));
                        break;
                    case SequenceEnd:
                        var sequence = (SequenceFrame)_frames.Pop();
                        Complete(Named(sequence.Anchor, new YamlSequence(sequence.Mark, sequence.Items)), ref root);
                        break;
                    case MappingEnd:
                        var mapping = (MappingFrame)_frames.Pop();
                        Complete(Named(mapping.Anchor, ApplyMerges(mapping)), ref root);
                        break;
                }
            }

            return root;
        }

        private static string? AnchorOf(NodeEvent node) => node.Anchor.IsEmpty ? null : node.Anchor.Value;

        private YamlNode Named(Scalar scalar, YamlNode node) => Named(AnchorOf(scalar), node);

        private YamlNode Named(string? anchor, YamlNode node)
        {
            if (anchor is not null)
            {
                _anchors[anchor] = node;
            }

            return node;
        }

        private void Push(Frame frame)
        {
            if (_frames.Count >= limits.MaxDepth)
            {
                throw new LimitExceededException(frame.Mark, $"nesting deeper than {limits.MaxDepth} levels: refused");
            }

            _frames.Push(frame);
        }

        private void Complete(YamlNode node, ref YamlNode? root)
        {
            if (_frames.Count == 0)
            {
                root = node;
            }
            else
            {
                _frames.Peek().Add(node);
            }
        }

        // Merge keys (https://yaml.org/type/merge.html): keys written in the mapping win over merged ones,
        // and among merged mappings the earlier one wins.
        private YamlMapping ApplyMerges(MappingFrame frame)
        {
            if (frame.Merges.Count == 0)
            {
                return new YamlMapping(frame.Mark, frame.Entries);
            }

            var entries = new List<KeyValuePair<YamlScalar, YamlNode>>(frame.Entries);
            var present = new HashSet<string>(entries.Select(e => e.Key.Value), StringComparer.Ordinal);
            foreach (var merge in frame.Merges)
            {
                var sources = merge switch
                {
                    YamlMapping single => [single],
                    YamlSequence list when list.Items.All(i => i is YamlMapping) => list.Items.Cast<YamlMapping>().ToList(),
                    _ => null,
                };
                if (sources is null)
                {
                    diagnostics.Error(merge, null, null, "a merge key \"<<\" takes a mapping or a list of mappings");
                    continue;
                }

                foreach (var source in sources)
                {
                    foreach (var entry in source.Entries)
                    {
                        if (present.Add(entry.Key.Value))
                        {
                            entries.Add(entry);
                        }
                    }
                }
            }

            return new YamlMapping(frame.Mark, entries);
        }
    }
}
