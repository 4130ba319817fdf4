using System.Collections.Immutable;
using System.Text;
using Fleet.Compose.Interpolation;
using Fleet.Compose.Loading;
using Fleet.Compose.Model;
using Fleet.Compose.Yaml;

namespace Fleet.Compose;

/// <summary>
/// Reads compose files into one normalized <see cref="ComposeProject"/>, or says precisely what is wrong.
/// Steps: read each file into a tree (limits, anchors, merge keys), interpolate its values, merge the files
/// in order, select services by profile, normalize, validate references and cycles, then hash.
/// The only I/O is reading the files it is given (compose files, .env, env_file).
/// </summary>
public static class ComposeLoader
{
    private static readonly string[] TopLevelKeys = ["version", "name", "services", "networks", "volumes", "configs", "secrets", "include", "models"];

    public static ComposeLoadResult Load(ComposeLoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var diagnostics = new DiagnosticBag();
        var reader = new NodeReader(diagnostics);
        if (options.Files.IsDefaultOrEmpty)
        {
            diagnostics.Error((SourceMark?)null, null, null, "no compose file given");
            return Fail(diagnostics);
        }

        var firstPath = Path.GetFullPath(options.Files[0].Path);
        var workingDirectory = Path.GetFullPath(options.WorkingDirectory ?? Path.GetDirectoryName(firstPath) ?? Directory.GetCurrentDirectory());
        var dotEnv = ReadDotEnv(options, workingDirectory, diagnostics);
        string? Lookup(string name) =>
            options.Environment.TryGetValue(name, out var fromProcess) ? fromProcess
            : dotEnv.TryGetValue(name, out var fromFile) ? fromFile
            : options.ExtraVariables.GetValueOrDefault(name);

        YamlMapping? merged = null;
        foreach (var file in options.Files)
        {
            var path = Path.GetFullPath(file.Path);
            var text = file.Content ?? ReadLimited(path, options.Limits, diagnostics);
            if (text is null)
            {
                continue;
            }

            if (Encoding.UTF8.GetByteCount(text) > options.Limits.MaxFileBytes)
            {
                diagnostics.Error(new SourceMark(path, 0, 0), null, null, $"file is larger than {options.Limits.MaxFileBytes} bytes: refused");
                continue;
            }

            var tree = YamlTreeReader.Read(path, text, options.Limits, diagnostics);
            if (tree is null || tree is YamlScalar { IsNull: true })
            {
                if (!diagnostics.HasErrors)
                {
                    diagnostics.Error(new SourceMark(path, 0, 0), null, null, "the file is empty: a compose file needs services:");
                }

                continue;
            }

            if (tree is not YamlMapping root)
            {
                diagnostics.Error(tree, null, null, $"a compose file is a mapping with services:, not {tree.KindName}");
                continue;
            }

            var interpolated = (YamlMapping)TreeInterpolator.Apply(root, Lookup, diagnostics);
            merged = merged is null ? interpolated : ComposeMerger.Merge(merged, interpolated);
        }

        // Interpolation errors leave the raw value in place, so reading goes on and reports the rest too.
        if (merged is null)
        {
            return Fail(diagnostics);
        }

        var project = Build(merged, options, workingDirectory, Lookup, reader);
        return project is null || diagnostics.HasErrors ? Fail(diagnostics) : new ComposeLoadResult { Project = project, Diagnostics = Ordered(diagnostics) };
    }

    private static ComposeProject? Build(YamlMapping root, ComposeLoadOptions options, string workingDirectory, VariableLookup lookup, NodeReader reader)
    {
        var diagnostics = reader.Diagnostics;
        reader.CheckKeys(root, null, "", TopLevelKeys);
        if (root.KeyNode("include") is { } include)
        {
            diagnostics.Error(include, null, "include", "not supported by Fleet: a stack is sent to devices as one set of files; merge the included file with -f");
        }

        var name = ProjectName(root, options with { ProjectName = options.ProjectName ?? lookup("COMPOSE_PROJECT_NAME") }, workingDirectory, reader);
        if (name is null)
        {
            return null;
        }

        var paths = new LoadContextPaths(workingDirectory, n => lookup(n));
        var networks = TopLevelNormalizer.Networks(Section(root, "networks", reader), name, reader);
        var volumes = TopLevelNormalizer.Volumes(Section(root, "volumes", reader), name, reader);
        var configs = TopLevelNormalizer.FileObjects(Section(root, "configs", reader), "configs", name, paths, reader);
        var secrets = TopLevelNormalizer.FileObjects(Section(root, "secrets", reader), "secrets", name, paths, reader);

        var servicesNode = Section(root, "services", reader);
        if (servicesNode is null)
        {
            diagnostics.Error(root, null, "services", "the stack has no services: (a compose file needs at least one)");
            return null;
        }

        if (servicesNode.Entries.Count > options.Limits.MaxServices)
        {
            diagnostics.Error(servicesNode, null, "services", $"more than {options.Limits.MaxServices} services: refused");
            return null;
        }

        foreach (var section in (string[])["services", "networks", "volumes", "configs", "secrets"])
        {
            foreach (var (key, _) in (root[section] as YamlMapping)?.Entries ?? [])
            {
                if (!IsValidName(key.Value))
                {
                    diagnostics.Error(key, null, section, $"invalid name \"{key.Value}\": use letters, digits, '.', '_' and '-'");
                }
            }
        }

        var all = servicesNode.Entries.Select(e => e.Key.Value).ToHashSet(StringComparer.Ordinal);
        var active = servicesNode.Entries.Where(e => IsActive(e.Value, options.Profiles)).Select(e => e.Key.Value).ToHashSet(StringComparer.Ordinal);
        var context = new LoadContext
        {
            Paths = paths,
            Lookup = lookup,
            Reader = reader,
            ReadFile = path => File.Exists(path) ? File.ReadAllText(path) : null,
            AllServices = all,
            ActiveServices = active,
            Volumes = volumes.Keys.ToHashSet(StringComparer.Ordinal),
            Networks = networks.Keys.ToHashSet(StringComparer.Ordinal),
            Configs = configs.Keys.ToHashSet(StringComparer.Ordinal),
            Secrets = secrets.Keys.ToHashSet(StringComparer.Ordinal),
        };

        var services = ImmutableSortedDictionary.CreateBuilder<string, ServiceConfig>(StringComparer.Ordinal);
        foreach (var (key, value) in servicesNode.Entries)
        {
            if (active.Contains(key.Value) && ServiceNormalizer.Normalize(key.Value, value, context) is { } service)
            {
                services[key.Value] = service;
            }
        }

        ReportCycles(services, servicesNode, diagnostics);
        if (diagnostics.HasErrors)
        {
            return null;
        }

        // The implicit "default" network exists as soon as a service is on it.
        if (!networks.ContainsKey("default") && services.Values.Any(s => s.Networks.ContainsKey("default")))
        {
            networks = networks.Add("default", new NetworkConfig { Name = name + "_default" });
        }

        foreach (var key in services.Keys.ToList())
        {
            services[key] = services[key] with { ConfigHash = CanonicalJson.ConfigHash(services[key]) };
        }

        var project = new ComposeProject
        {
            Name = name,
            Services = services.ToImmutable(),
            Networks = networks,
            Volumes = volumes,
            Configs = configs,
            Secrets = secrets,
            Extensions = ExtensionWriter.Extensions(root),
        };
        return project with { Digest = CanonicalJson.Digest(project) };
    }

    private static YamlMapping? Section(YamlMapping root, string key, NodeReader reader) =>
        root[key] is { } node ? reader.Mapping(node, null, key) : null;

    private static bool IsActive(YamlNode service, ImmutableArray<string> profiles)
    {
        if (service is not YamlMapping mapping || mapping["profiles"] is not YamlSequence list || list.Items.Count == 0)
        {
            return true;
        }

        return list.Items.OfType<YamlScalar>().Any(p => profiles.Contains(p.Value) || profiles.Contains("*"));
    }

    private static string? ProjectName(YamlMapping root, ComposeLoadOptions options, string workingDirectory, NodeReader reader)
    {
        if (options.ProjectName is { } explicitName)
        {
            if (!IsValidProjectName(explicitName))
            {
                reader.Diagnostics.Error((SourceMark?)null, null, null, $"invalid project name \"{explicitName}\": use lowercase letters, digits, dashes and underscores, starting with a letter or digit");
                return null;
            }

            return explicitName;
        }

        if (root["name"] is { } nameNode && reader.String(nameNode, null, "name") is { } fileName)
        {
            if (!IsValidProjectName(fileName))
            {
                reader.Diagnostics.Error(nameNode, null, "name", $"invalid project name \"{fileName}\": use lowercase letters, digits, dashes and underscores, starting with a letter or digit");
                return null;
            }

            return fileName;
        }

        // Like docker compose: the directory name, lowercased, with what a project name cannot hold removed.
        var fromDirectory = new string(Path.GetFileName(workingDirectory.TrimEnd('/')).ToLowerInvariant()
            .Where(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_').ToArray()).TrimStart('-', '_');
        return fromDirectory.Length > 0 ? fromDirectory : "default";
    }

    // The specification's pattern for service, network, volume, config and secret keys: they end up in engine object names.
    private static bool IsValidName(string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    private static bool IsValidProjectName(string name) =>
        name.Length > 0 && (char.IsAsciiLetterLower(name[0]) || char.IsAsciiDigit(name[0]))
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_');

    private static void ReportCycles(ImmutableSortedDictionary<string, ServiceConfig>.Builder services, YamlMapping servicesNode, DiagnosticBag diagnostics)
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        var path = new List<string>();
        var reported = new HashSet<string>(StringComparer.Ordinal);

        void Visit(string name)
        {
            state[name] = 1;
            path.Add(name);
            foreach (var dependency in services[name].DependsOn.Keys)
            {
                if (!services.ContainsKey(dependency))
                {
                    continue;
                }

                if (state.GetValueOrDefault(dependency) == 1)
                {
                    var cycle = path.Skip(path.IndexOf(dependency)).Append(dependency).ToList();
                    if (reported.Add(string.Join(",", cycle.Skip(1).Order(StringComparer.Ordinal))))
                    {
                        var node = servicesNode[name] is YamlMapping m && m.KeyNode("depends_on") is { } key ? key : (YamlNode)servicesNode;
                        diagnostics.Error(node, name, "depends_on", "dependency cycle: " + string.Join(" -> ", cycle));
                    }
                }
                else if (state.GetValueOrDefault(dependency) == 0)
                {
                    Visit(dependency);
                }
            }

            path.RemoveAt(path.Count - 1);
            state[name] = 2;
        }

        foreach (var name in services.Keys)
        {
            if (state.GetValueOrDefault(name) == 0)
            {
                Visit(name);
            }
        }
    }

    private static Dictionary<string, string> ReadDotEnv(ComposeLoadOptions options, string workingDirectory, DiagnosticBag diagnostics)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var path = Path.GetFullPath(options.EnvFile ?? Path.Combine(workingDirectory, ".env"));
        var text = options.EnvFileContent;
        if (text is null)
        {
            if (!File.Exists(path))
            {
                if (options.EnvFile is not null)
                {
                    diagnostics.Error(new SourceMark(path, 0, 0), null, null, "env file not found");
                }

                return values;
            }

            text = ReadLimited(path, options.Limits, diagnostics);
            if (text is null)
            {
                return values;
            }
        }

        // The .env file may refer to the process environment and to its own earlier lines.
        var (entries, errors) = DotEnvParser.Parse(text, name => options.Environment.GetValueOrDefault(name));
        foreach (var (line, message) in errors)
        {
            diagnostics.Error(new SourceMark(path, line, 0), null, null, message);
        }

        foreach (var entry in entries)
        {
            if (entry.Value is not null)
            {
                values[entry.Key] = entry.Value;
            }
        }

        return values;
    }

    private static string? ReadLimited(string path, ComposeLimits limits, DiagnosticBag diagnostics)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                diagnostics.Error(new SourceMark(path, 0, 0), null, null, "file not found");
                return null;
            }

            if (info.Length > limits.MaxFileBytes)
            {
                diagnostics.Error(new SourceMark(path, 0, 0), null, null, $"file is larger than {limits.MaxFileBytes} bytes: refused");
                return null;
            }

            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            diagnostics.Error(new SourceMark(path, 0, 0), null, null, "cannot read file: " + e.Message);
            return null;
        }
    }

    private static ComposeLoadResult Fail(DiagnosticBag diagnostics) => new() { Diagnostics = Ordered(diagnostics) };

    // In the order a person reads the files: by file (as first mentioned), then line and column.
    private static ImmutableArray<ComposeDiagnostic> Ordered(DiagnosticBag diagnostics)
    {
        var files = diagnostics.Items.Select(d => d.File ?? "").Distinct().ToList();
        return [.. diagnostics.Items.OrderBy(d => files.IndexOf(d.File ?? "")).ThenBy(d => d.Line).ThenBy(d => d.Column)];
    }
}
