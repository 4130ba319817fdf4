using Fleet.Agent.Storage;
using Fleet.Compose.Model;
using Fleet.Protocol.Messages;

namespace Fleet.Agent.Updates;

/// <summary>
/// Update locks, as balena has them: the agent mounts a directory of its own into every container of
/// every service (<c>{root}/{stack}/{service}</c> on the host, <see cref="ContainerDirectory"/> inside,
/// named by the <c>FLEET_LOCK_DIR</c> and <c>FLEET_LOCK_FILE</c> variables). A service that must not be
/// stopped now writes <see cref="FileName"/> there (its first line names the holder) and deletes it when
/// done; while it exists, an update waits before it stops anything. The file's modification time starts
/// a lease: a lock not touched for the lease is ignored, so a crashed holder cannot block updates forever.
/// </summary>
public sealed class UpdateLocks(string root, TimeSpan lease)
{
    public const string ContainerDirectory = "/tmp/fleet";
    public const string FileName = "updates.lock";
    public const string DirectoryVariable = "FLEET_LOCK_DIR";
    public const string FileVariable = "FLEET_LOCK_FILE";

    /// <summary>The longest holder name reported; the rest of the file is the service's business.</summary>
    private const int MaxHolder = 100;

    public string Root { get; } = root;

    public TimeSpan Lease { get; } = lease;

    /// <summary>
    /// The project with the lock directory mounted into each service, and the variables naming it. The
    /// config hash stays the file's: containers that run already keep running (they get the mount when they
    /// are next recreated for a change of their own).
    /// </summary>
    public ComposeProject Mount(ComposeProject project)
    {
        ArgumentNullException.ThrowIfNull(project);
        var services = project.Services;
        foreach (var (name, service) in project.Services)
        {
            var host = Path.Combine(Root, project.Name, name);
            Directory.CreateDirectory(host);
            services = services.SetItem(name, service with
            {
                Volumes = [.. service.Volumes.Where(v => v.Target != ContainerDirectory),
                    new ServiceVolume { Type = "bind", Source = host, Target = ContainerDirectory, Bind = new ServiceVolumeBind { CreateHostPath = true } }],
                Environment = service.Environment
                    .SetItem(DirectoryVariable, ContainerDirectory)
                    .SetItem(FileVariable, $"{ContainerDirectory}/{FileName}"),
            });
        }

        return project with { Services = services };
    }

    /// <summary>The locks held now (lease not over) by services of <paramref name="stacks"/>, by stack and service.</summary>
    public IReadOnlyList<UpdateLock> Held(IEnumerable<string> stacks, DateTimeOffset now) => [.. Found(stacks).Where(l => Holds(l, now))];

    /// <summary>Every lock file of the services of <paramref name="stacks"/>, also those whose lease ended.</summary>
    public IReadOnlyList<UpdateLock> Found(IEnumerable<string> stacks)
    {
        var found = new List<UpdateLock>();
        foreach (var stack in stacks.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var directory = Path.Combine(Root, stack);
            if (!Directory.Exists(directory))
            {
                continue;
            }

            foreach (var service in Directory.EnumerateDirectories(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal))
            {
                if (Read(stack, service!) is { } file)
                {
                    found.Add(file);
                }
            }
        }

        return found;
    }

    /// <summary>
    /// The stacks an update to <paramref name="desired"/> changes, whose services' locks defer it: those whose
    /// compose text or variables differ from the last committed release, those it adds and those it removes.
    /// A lock in a stack the update leaves alone defers nothing.
    /// </summary>
    public static IReadOnlyList<string> StacksChanged(Release? committed, DesiredState desired)
    {
        ArgumentNullException.ThrowIfNull(desired);
        var before = committed?.Stacks.ToDictionary(s => s.Name, StringComparer.Ordinal) ?? [];
        var changed = desired.Stacks
            .Where(s => !before.TryGetValue(s.Name, out var old) || old.Compose != s.Compose
                        || !old.Variables.OrderBy(v => v.Key, StringComparer.Ordinal).SequenceEqual(s.Variables.OrderBy(v => v.Key, StringComparer.Ordinal)))
            .Select(s => s.Name);
        var removed = before.Keys.Where(name => desired.Stacks.All(s => s.Name != name));
        return [.. changed.Concat(removed).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    /// <summary>One line naming each lock: <c>web/api held by batch-job until 2026-...</c>.</summary>
    public static string Describe(IEnumerable<UpdateLock> locks) =>
        string.Join("; ", locks.Select(l => $"{l.Stack}/{l.Service} held by {l.Holder ?? "an unnamed holder"} until {l.ExpiresAt:O}"));

    /// <summary>Whether <paramref name="found"/> still holds at <paramref name="now"/>: its lease is not over.</summary>
    public static bool Holds(UpdateLock found, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(found);
        return now < found.ExpiresAt;
    }

    /// <summary>The holder named by a lock file's text: its first line, trimmed and cut short; null when empty.</summary>
    public static string? HolderOf(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var line = text.Split('\n', 2)[0].Trim();
        return line.Length == 0 ? null : line.Length > MaxHolder ? line[..MaxHolder] : line;
    }

    private UpdateLock? Read(string stack, string service)
    {
        var file = new FileInfo(Path.Combine(Root, stack, service, FileName));
        if (!file.Exists)
        {
            return null;
        }

        string text;
        try
        {
            using var reader = new StreamReader(file.FullName);
            var buffer = new char[MaxHolder * 2];
            text = new string(buffer, 0, reader.ReadBlock(buffer, 0, buffer.Length));
        }
        catch (IOException)
        {
            text = ""; // Deleted or being written right now: it counts as held, by no one named.
        }
        catch (UnauthorizedAccessException)
        {
            text = "";
        }

        var touched = new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero);
        return new UpdateLock { Stack = stack, Service = service, Holder = HolderOf(text), AcquiredAt = touched, ExpiresAt = touched + Lease };
    }
}
