namespace Fleet.Compose.Loading;

/// <summary>Resolves relative paths against the project directory, as the specification says.</summary>
internal sealed class LoadContextPaths(string projectDirectory, Func<string, string?> lookup)
{
    /// <summary>A variable as interpolation sees it: the environment, then .env, then the caller's variables.</summary>
    public string? Variable(string name) => lookup(name);

    public string Resolve(string path)
    {
        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal))
        {
            path = (lookup("HOME") ?? "/root") + path[1..];
        }

        return Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(projectDirectory, path));
    }
}
