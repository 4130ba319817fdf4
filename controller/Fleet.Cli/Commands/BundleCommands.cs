using System.CommandLine;
using System.Globalization;
using Fleet.Cli.Bundles;
using Fleet.Cli.Hosting;
using Fleet.Cli.Parsing;
using Fleet.Compose;
using Fleet.Protocol.Api;
using Fleet.Protocol.Bundles;
using Fleet.Protocol.Keys;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Signing;

namespace Fleet.Cli.Commands;

/// <summary>
/// <c>fleet bundle create</c>: an air-gapped release in one file. The images come from the local engine
/// (<c>docker save</c>); the controller signs a desired state and the manifest of the archives' digests
/// without ever seeing the archives; the console checks that signature before writing the bundle.
/// </summary>
internal static class BundleCommands
{
    public static Command Create(CliApp app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var stack = CliOptions.StackRef("NAME[:VERSION]", "Stack and version (default: the latest)");
        var outFile = new Option<string>("--out") { Description = "Bundle file to write", Required = true };
        var target = CliOptions.Selector("--target", "Devices the bundle is for, a label selector (default: every device)");
        var acceptFor = CliOptions.Duration("--accept-for", "How long devices accept the bundle (default: the controller's)");
        var create = new Command("create", Help.Describe(
            "Write a signed bundle with the stack and its images, for devices without network.",
            "fleet bundle create web:3 --out web-3.bundle --target site=mine-7"))
        {
            stack, outFile, target, acceptFor,
        };
        app.SetAction(create, (context, cancellationToken) => CreateAsync(
            context, context.Value(stack), context.Value(outFile), context.Value(target) ?? "", context.Parse.GetValue(acceptFor), new DockerCli(), cancellationToken));
        return new Command("bundle", Help.Describe("Air-gapped bundles.", "fleet bundle create web --out web.bundle")) { create };
    }

    private static async Task<int> CreateAsync(
        CliContext context, StackVersionRef stack, string path, string target, TimeSpan? acceptFor, DockerCli docker, CancellationToken cancellationToken)
    {
        var output = context.Output;
        var version = await context.Api.GetStackVersionAsync(stack.Name, stack.Version, cancellationToken).ConfigureAwait(false);
        if (!version.Succeeded)
        {
            return output.Fail(version.Failure);
        }

        var loaded = ComposeLoader.Load(new ComposeLoadOptions
        {
            Files = [new ComposeFile("compose.yaml", version.Value.Compose ?? "")],
            ProjectName = stack.Name,
            EnvFileContent = "",
        });
        if (loaded.Project is not { } project)
        {
            return output.Fail($"{stack}: the controller's compose text does not load: {loaded.Errors.FirstOrDefault()}");
        }

        var work = Directory.CreateTempSubdirectory("fleet-bundle-");
        try
        {
            Directory.CreateDirectory(Path.Combine(work.FullName, BundleLayout.ImagesDirectory));
            var images = new List<BundleImage>();
            var archives = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var reference in project.Services.Values.Select(s => s.Image).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                var (imageId, inspectError) = await docker.InspectIdAsync(reference, cancellationToken).ConfigureAwait(false);
                if (imageId is null)
                {
                    return output.Fail(inspectError!);
                }

                var file = BundleWriter.ImageFile(images.Count, reference);
                var archive = Path.Combine(work.FullName, file);
                output.Note($"saving {reference} ({imageId[..Math.Min(19, imageId.Length)]})");
                if (await docker.SaveAsync(reference, archive, cancellationToken).ConfigureAwait(false) is { } saveError)
                {
                    return output.Fail(saveError);
                }

                images.Add(await BundleWriter.DescribeAsync(archive, reference, imageId, file, cancellationToken).ConfigureAwait(false));
                archives[file] = archive;
            }

            var keys = await context.Api.GetKeysAsync(cancellationToken).ConfigureAwait(false);
            if (!keys.Succeeded)
            {
                return output.Fail(keys.Failure);
            }

            var signed = await context.Api.SignBundleAsync(
                new BundleRequest
                {
                    Stack = stack.Name,
                    Version = version.Value.Version,
                    Target = target,
                    AcceptForSeconds = acceptFor is { } a ? (long)a.TotalSeconds : null,
                    Images = images,
                },
                cancellationToken).ConfigureAwait(false);
            if (!signed.Succeeded)
            {
                return output.Fail(signed.Failure);
            }

            if (CheckSigned(signed.Value, keys.Value, images, context.Time) is { } problem)
            {
                return output.Fail("the controller's signed manifest does not check out: " + problem);
            }

            await BundleFile.WriteAsync(path, signed.Value, archives, cancellationToken).ConfigureAwait(false);
            return output.PrintLines(signed, ApiJsonContext.Default.BundleResponse, _ =>
                $"wrote {path}: {stack.Name}:{version.Value.Version.ToString(CultureInfo.InvariantCulture)} for " +
                $"{(target.Length == 0 ? "every device" : $"'{target}'")}, {images.Count.ToString(CultureInfo.InvariantCulture)} image(s), " +
                $"{(new FileInfo(path).Length / (1024.0 * 1024.0)).ToString("0.0", CultureInfo.InvariantCulture)} MiB");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return output.Fail($"cannot write the bundle: {ex.Message}");
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Null when the manifest verifies under the controller's pinned root and lists exactly the archives
    /// saved here, as a device will check it; otherwise why not.
    /// </summary>
    private static string? CheckSigned(BundleResponse signed, KeysInfo keys, IReadOnlyList<BundleImage> sent, TimeProvider time)
    {
        if (keys.Root is null)
        {
            return "the controller has no root key (run 'fleet keys init')";
        }

        var trust = TrustStore.Create(keys.Root).Apply(signed.Trust);
        if (!trust.IsAccepted)
        {
            return trust.Message;
        }

        var manifest = new EnvelopeVerifier(time).Verify(EnvelopeSigner.Encode(signed.Manifest), trust.Value, ProtocolJsonContext.Default.BundleManifest);
        if (!manifest.IsAccepted)
        {
            return manifest.Message;
        }

        var listed = manifest.Value.Images.Select(i => (i.File, i.Sha256, i.ImageId)).Order().ToArray();
        return listed.SequenceEqual(sent.Select(i => (i.File, i.Sha256, i.ImageId)).Order()) ? null : "its images are not the ones saved";
    }
}
