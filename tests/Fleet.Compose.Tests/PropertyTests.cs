using System.Globalization;
using System.Text;
using CsCheck;

namespace Fleet.Compose.Tests;

/// <summary>Random stacks in random YAML styles give one digest; random damage never crashes the loader.</summary>
public class PropertyTests
{
    private static readonly string[] Images = ["busybox:1", "busybox:2", "registry.local:5000/app:3.1", "nginx"];
    private static readonly string[] Restarts = ["no", "always", "unless-stopped", "on-failure:3"];

    private static readonly Gen<string> Value = Gen.String[Gen.Char["abcXYZ019 -_.:/=\"'#{}$"], 0, 12].Select(s => s.Replace("$", "$$", StringComparison.Ordinal));

    private static readonly Gen<StackService[]> Stack =
        from count in Gen.Int[1, 5]
        from services in Gen.Select(
            Gen.OneOf(Images),
            Gen.Dictionary(Gen.String[Gen.Char["ABCDE_"], 1, 6], Value)[0, 4],
            Gen.Int[1, 65535].Select(Gen.Int[1, 65535]).Array[0, 3],
            Gen.OneOf<string?>([null, .. Restarts]),
            Gen.String[Gen.Char["abcdef-"], 1, 8].Array[0, 3],
            Gen.Dictionary(Gen.String[Gen.Char["abc.xyz"], 1, 6], Value)[0, 3],
            Gen.Bool)
            .Select(t => new StackService(t.Item1, [.. t.Item2.OrderBy(e => e.Key, StringComparer.Ordinal)], t.Item3, t.Item4, t.Item5, [.. t.Item6.OrderBy(e => e.Key, StringComparer.Ordinal)], t.Item7))
            .Array[count]
        select services;

    [Fact]
    public void RandomStack_InEveryYamlStyle_HasOneDigest()
    {
        Stack.Sample(
            services =>
            {
                var digests = new[] { BlockShort(services), FlowLong(services), WithAnchors(services) }
                    .Select(yaml =>
                    {
                        var result = TestLoader.Load(yaml);
                        Assert.True(result.Succeeded, yaml + "\n" + string.Join("\n", result.Diagnostics));
                        return result.Project!.Digest;
                    })
                    .Distinct()
                    .ToList();
                Assert.Single(digests);
            },
            iter: 300);
    }

    [Fact]
    public void RandomDamage_NeverCrashesTheLoader()
    {
        var damaged =
            from services in Stack
            from style in Gen.Int[0, 2]
            from edits in Gen.Select(Gen.Int[0, 10_000], Gen.Int[0, 2], Gen.Char["\0\t\n :{}[]-&*!|>'\"%@`#,?$<=~\\\u00ff\u2028"]).Array[1, 8]
            select Damage(style switch { 0 => BlockShort(services), 1 => FlowLong(services), _ => WithAnchors(services) }, edits);

        damaged.Sample(
            yaml =>
            {
                var result = TestLoader.Load(yaml);
                Assert.True(result.Succeeded || result.Errors.Any());
            },
            iter: 2000);
    }

    [Fact]
    public void RandomBytes_NeverCrashTheLoader()
    {
        Gen.Byte.Array[0, 400].Sample(
            bytes =>
            {
                var result = TestLoader.Load(Encoding.UTF8.GetString(bytes));
                Assert.True(result.Succeeded || result.Errors.Any());
            },
            iter: 2000);
    }

    // Every field that parses its value, with a placeholder for a random value.
    private static readonly string[] FieldTemplates =
    [
        "ports: [\"{0}\"]", "ports: [{{target: \"{0}\", published: \"{0}\"}}]", "volumes: [\"{0}\"]", "volumes: [{{type: tmpfs, target: /t, tmpfs: {{size: \"{0}\", mode: \"{0}\"}}}}]",
        "volumes: [{{type: bind, source: \"{0}\", target: /b}}]", "mem_limit: \"{0}\"", "memswap_limit: \"{0}\"", "shm_size: \"{0}\"", "cpus: \"{0}\"",
        "cpu_shares: \"{0}\"", "pids_limit: \"{0}\"", "stop_grace_period: \"{0}\"", "restart: \"{0}\"", "healthcheck: {{interval: \"{0}\", retries: \"{0}\", test: \"{0}\"}}",
        "deploy: {{replicas: \"{0}\", resources: {{limits: {{cpus: \"{0}\", memory: \"{0}\", pids: \"{0}\"}}}}, restart_policy: {{delay: \"{0}\", max_attempts: \"{0}\"}}}}",
        "scale: \"{0}\"", "ulimits: {{nofile: \"{0}\", nproc: {{soft: \"{0}\", hard: \"{0}\"}}}}", "devices: [\"{0}\"]", "extra_hosts: [\"{0}\"]", "command: \"{0}\"",
        "environment: {{A: \"{0}\"}}", "env_file: [\"{0}\"]", "secrets: [{{source: s, mode: \"{0}\"}}]", "privileged: \"{0}\"", "network_mode: \"{0}\"",
        "depends_on: {{\"{0}\": {{condition: \"{0}\"}}}}", "labels: [\"{0}\"]", "sysctls: [\"{0}\"]", "pull_policy: \"{0}\"",
    ];

    [Fact]
    public void RandomValues_InEveryParsedField_NeverCrashTheLoader()
    {
        // Long digit runs with unit suffixes reach the overflow edges; the mixed alphabet reaches the syntax edges.
        var number = Gen.Select(Gen.String[Gen.Char["0123456789"], 1, 40], Gen.OneOf("", "g", "h", "ms", ".5", "e30", ":1", "-1", "m30s", "k", "/udp", "-9"))
            .Select((digits, suffix) => digits + suffix);
        var value = Gen.OneOf(number, Gen.String[Gen.Char["0123456789.-:/[]~$eEgGmMhsbkK xyz\\0\u00e9"], 0, 30]);
        Gen.Select(Gen.Int[0, FieldTemplates.Length - 1], value).Sample(
            (template, text) =>
            {
                var line = string.Format(CultureInfo.InvariantCulture, FieldTemplates[template], text.Replace("\\", "\\\\", StringComparison.Ordinal));
                var result = TestLoader.Load($"services:\n  web:\n    image: x\n    {line}\nsecrets:\n  s: {{file: ./s}}\n");
                Assert.True(result.Succeeded || result.Errors.Any());
            },
            iter: 5000);
    }

    private static string Damage(string yaml, (int Position, int Kind, char Character)[] edits)
    {
        var text = new StringBuilder(yaml);
        foreach (var (position, kind, character) in edits)
        {
            var at = text.Length == 0 ? 0 : position % text.Length;
            switch (kind)
            {
                case 0 when text.Length > 0:
                    text[at] = character;
                    break;
                case 1:
                    text.Insert(at, character);
                    break;
                default:
                    if (text.Length > 0)
                    {
                        text.Remove(at, 1);
                    }

                    break;
            }
        }

        return text.ToString();
    }

    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static string Single(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static string Name(int index) => "svc" + index.ToString(CultureInfo.InvariantCulture);

    private static string BlockShort(StackService[] services)
    {
        var yaml = new StringBuilder("services:\n");
        for (var i = 0; i < services.Length; i++)
        {
            var s = services[i];
            yaml.Append("  ").Append(Name(i)).Append(":\n    image: ").Append(s.Image).Append('\n');
            if (s.Environment.Length > 0)
            {
                yaml.Append("    environment:\n");
                foreach (var (key, value) in s.Environment)
                {
                    yaml.Append("      - ").Append(Quote(key + "=" + value)).Append('\n');
                }
            }

            if (s.Ports.Length > 0)
            {
                yaml.Append("    ports:\n");
                foreach (var (published, target) in s.Ports)
                {
                    yaml.Append(CultureInfo.InvariantCulture, $"      - \"{published}:{target}\"\n");
                }
            }

            if (s.Restart is not null)
            {
                yaml.Append("    restart: ").Append(Quote(s.Restart)).Append('\n');
            }

            if (s.Command.Length > 0)
            {
                yaml.Append("    command:\n");
                foreach (var word in s.Command)
                {
                    yaml.Append("      - ").Append(Single(word)).Append('\n');
                }
            }

            if (s.Labels.Length > 0)
            {
                yaml.Append("    labels:\n");
                foreach (var (key, value) in s.Labels)
                {
                    yaml.Append("      - ").Append(Single(key + "=" + value)).Append('\n');
                }
            }

            if (s.DependsOnPrevious && i > 0)
            {
                yaml.Append("    depends_on: [").Append(Name(i - 1)).Append("]\n");
            }
        }

        return yaml.ToString();
    }

    // Long syntax, flow style, keys and services in reverse order.
    private static string FlowLong(StackService[] services)
    {
        var yaml = new StringBuilder("services: {\n");
        for (var i = services.Length - 1; i >= 0; i--)
        {
            var s = services[i];
            var fields = new List<string>();
            if (s.DependsOnPrevious && i > 0)
            {
                fields.Add($"depends_on: {{{Name(i - 1)}: {{condition: service_started, required: true}}}}");
            }

            if (s.Labels.Length > 0)
            {
                fields.Add("labels: {" + string.Join(", ", s.Labels.Reverse().Select(l => Quote(l.Key) + ": " + Single(l.Value))) + "}");
            }

            if (s.Command.Length > 0)
            {
                fields.Add("command: [" + string.Join(", ", s.Command.Select(Quote)) + "]");
            }

            if (s.Restart is not null)
            {
                fields.Add("restart: " + Single(s.Restart));
            }

            if (s.Ports.Length > 0)
            {
                fields.Add("ports: [" + string.Join(", ", s.Ports.Select(p => string.Create(CultureInfo.InvariantCulture, $"{{protocol: tcp, target: {p.Target}, published: {p.Published}}}"))) + "]");
            }

            if (s.Environment.Length > 0)
            {
                fields.Add("environment: {" + string.Join(", ", s.Environment.Reverse().Select(e => e.Key + ": " + Quote(e.Value))) + "}");
            }

            fields.Add("image: " + Quote(s.Image));
            yaml.Append("  ").Append(Name(i)).Append(": {").Append(string.Join(", ", fields)).Append("},\n");
        }

        return yaml.Append("}\n").ToString();
    }

    // Anchors on repeated images, merge keys for restart, otherwise block style.
    private static string WithAnchors(StackService[] services)
    {
        var yaml = new StringBuilder("services:\n");
        var anchored = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < services.Length; i++)
        {
            var s = services[i];
            yaml.Append("  ").Append(Name(i)).Append(":\n");
            if (s.Restart is not null)
            {
                yaml.Append("    <<: {restart: ").Append(Quote(s.Restart)).Append("}\n");
            }

            if (anchored.TryGetValue(s.Image, out var anchor))
            {
                yaml.Append("    image: *").Append(anchor).Append('\n');
            }
            else
            {
                anchor = "img" + i.ToString(CultureInfo.InvariantCulture);
                anchored[s.Image] = anchor;
                yaml.Append("    image: &").Append(anchor).Append(' ').Append(Quote(s.Image)).Append('\n');
            }

            if (s.Environment.Length > 0)
            {
                yaml.Append("    environment:\n");
                foreach (var (key, value) in s.Environment)
                {
                    yaml.Append("      ").Append(key).Append(": ").Append(Single(value)).Append('\n');
                }
            }

            if (s.Ports.Length > 0)
            {
                yaml.Append("    ports:\n");
                foreach (var (published, target) in s.Ports)
                {
                    yaml.Append(CultureInfo.InvariantCulture, $"      - target: {target}\n        published: \"{published}\"\n");
                }
            }

            if (s.Command.Length > 0)
            {
                yaml.Append("    command: ").Append(Single(string.Join(' ', s.Command))).Append('\n');
            }

            if (s.Labels.Length > 0)
            {
                yaml.Append("    labels:\n");
                foreach (var (key, value) in s.Labels)
                {
                    yaml.Append("      ").Append(key).Append(": ").Append(Quote(value)).Append('\n');
                }
            }

            if (s.DependsOnPrevious && i > 0)
            {
                yaml.Append("    depends_on:\n      - ").Append(Name(i - 1)).Append('\n');
            }
        }

        return yaml.ToString();
    }

    internal sealed record StackService(
        string Image,
        KeyValuePair<string, string>[] Environment,
        (int Published, int Target)[] Ports,
        string? Restart,
        string[] Command,
        KeyValuePair<string, string>[] Labels,
        bool DependsOnPrevious);
}
