using System.CommandLine;
using System.Globalization;
using Fleet.Cli.Api;
using Fleet.Cli.Hosting;
using Fleet.Cli.Keys;
using Fleet.Cli.Output;
using Fleet.Cli.Rendering;
using Fleet.Protocol.Api;
using Fleet.Protocol.Keys;
using Fleet.Protocol.Serialization;

namespace Fleet.Cli.Commands;

/// <summary>
/// <c>fleet keys show|init|rotate|revoke</c> (docs/api.md, "Keys"): the root private key is made and used
/// here only, and stays in the operator's file; the controller receives certificates and revocation lists.
/// </summary>
internal static class KeysCommands
{
    private static readonly TimeSpan DefaultValidity = TimeSpan.FromDays(365);

    public static Command Create(CliApp app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var command = new Command("keys", Help.Describe(
            "The root key (offline, yours) and the controller's signing keys it certifies.",
            "fleet keys init --out root.json",
            "fleet keys rotate --root root.json",
            "fleet keys revoke k-0123456789abcdef --root root.json"));

        var show = new Command("show", Help.Describe("Show the pinned root, the active and pending signing keys, and revocations.", "fleet keys show"));
        app.SetAction(show, async (context, cancellationToken) => context.Output.PrintLines(
            await context.Api.GetKeysAsync(cancellationToken).ConfigureAwait(false), ApiJsonContext.Default.KeysInfo, Describe));
        command.Subcommands.Add(show);

        var validFor = CliOptions.Duration("--valid-for", "How long the signing key's certificate is valid (default: 365d)");
        var outFile = new Option<string>("--out") { Description = "File to write the new root key to (mode 0600); move it offline", Required = true };
        var init = new Command("init", Help.Describe(
            "Create the root key, write it to --out, and certify the controller's pending signing key with it.",
            "fleet keys init --out root.json")) { outFile, validFor };
        app.SetAction(init, (context, cancellationToken) => InitAsync(context, context.Value(outFile), context.Parse.GetValue(validFor) ?? DefaultValidity, cancellationToken));
        command.Subcommands.Add(init);

        var rotateRoot = RootOption();
        var rotateValid = CliOptions.Duration("--valid-for", "How long the new key's certificate is valid (default: 365d)");
        var rotate = new Command("rotate", Help.Describe(
            "Have the controller make a new signing key and certify it with the root key.", "fleet keys rotate --root root.json"))
        {
            rotateRoot, rotateValid,
        };
        app.SetAction(rotate, (context, cancellationToken) =>
            RotateAsync(context, context.Value(rotateRoot), context.Parse.GetValue(rotateValid) ?? DefaultValidity, cancellationToken));
        command.Subcommands.Add(rotate);

        var kid = new Argument<string>("KID") { Description = "Key id of the signing key to revoke" };
        kid.Validators.Add(result =>
        {
            if (KeyIds.Validate(result.GetValueOrDefault<string>()) is { } error)
            {
                result.AddError(error);
            }
        });
        var revokeRoot = RootOption();
        var revoke = new Command("revoke", Help.Describe(
            "Sign a revocation list with the root key that adds KID; devices stop trusting that key.",
            "fleet keys revoke k-0123456789abcdef --root root.json"))
        {
            kid, revokeRoot,
        };
        app.SetAction(revoke, (context, cancellationToken) => RevokeAsync(context, context.Value(kid), context.Value(revokeRoot), cancellationToken));
        command.Subcommands.Add(revoke);
        return command;
    }

    private static Option<string> RootOption() => new("--root") { Description = "The root key file that 'fleet keys init' wrote", Required = true };

    private static async Task<int> InitAsync(CliContext context, string path, TimeSpan validFor, CancellationToken cancellationToken)
    {
        var keys = await context.Api.GetKeysAsync(cancellationToken).ConfigureAwait(false);
        if (!keys.Succeeded)
        {
            return context.Output.Fail(keys.Failure);
        }

        if (keys.Value.Root is { } pinned)
        {
            return context.Output.Fail($"the controller already pinned the root key {pinned.Kid}; rotate with 'fleet keys rotate --root FILE'");
        }

        using var root = SigningKey.Generate();
        if (RootKeyFile.Write(path, root) is { } writeError)
        {
            return context.Output.Fail(writeError);
        }

        context.Output.Note($"root key {root.Kid} written to {path} (mode 0600): keep it offline, it signs every key rotation and revocation");
        return await CertifyAsync(context, root, keys.Value, validFor, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> RotateAsync(CliContext context, string path, TimeSpan validFor, CancellationToken cancellationToken)
    {
        var opened = await OpenAsync(context, path, cancellationToken).ConfigureAwait(false);
        if (opened is null)
        {
            return ExitCodes.Failed;
        }

        using var root = opened.Root;
        var pending = await context.Api.CreatePendingKeyAsync(cancellationToken).ConfigureAwait(false);
        return pending.Succeeded
            ? await CertifyAsync(context, root, pending.Value, validFor, cancellationToken).ConfigureAwait(false)
            : context.Output.Fail(pending.Failure);
    }

    /// <summary>
    /// The operator's root key and the controller's keys, checked to belong together; null (the reason
    /// already printed) when the file cannot be read, the controller cannot be asked, or the roots differ.
    /// </summary>
    private static async Task<OpenedRoot?> OpenAsync(CliContext context, string path, CancellationToken cancellationToken)
    {
        var loaded = RootKeyFile.Read(path);
        if (!loaded.Succeeded)
        {
            context.Output.Fail(loaded.Error);
            return null;
        }

        var keys = await context.Api.GetKeysAsync(cancellationToken).ConfigureAwait(false);
        TrustStore? trust = null;
        var problem = keys.Succeeded ? RootSignatures.CheckSameRoot(loaded.Value, keys.Value, out trust) : keys.Failure.Message;
        if (problem is not null)
        {
            loaded.Value.Dispose();
            context.Output.Fail(problem);
            return null;
        }

        return new OpenedRoot(loaded.Value, keys.Value!, trust!);
    }

    private static async Task<int> CertifyAsync(CliContext context, SigningKey root, KeysInfo keys, TimeSpan validFor, CancellationToken cancellationToken)
    {
        var pending = keys.Pending;
        if (pending is null)
        {
            var created = await context.Api.CreatePendingKeyAsync(cancellationToken).ConfigureAwait(false);
            if (!created.Succeeded)
            {
                return context.Output.Fail(created.Failure);
            }

            pending = created.Value.Pending;
            if (pending is null)
            {
                return context.Output.Fail("the controller made no pending signing key to certify");
            }
        }

        var now = context.Time.GetUtcNow();
        var certificate = RootSignatures.Certify(root, pending, keys.LastSerial + 1, now, validFor);
        var installed = await context.Api.InstallCertificateAsync(
            new KeyInstallRequest { Root = root.PublicKey, Certificate = certificate }, cancellationToken).ConfigureAwait(false);
        return context.Output.PrintLines(installed, ApiJsonContext.Default.KeysInfo, info =>
            $"signing key {pending.Kid} certified until {Ago.Utc(now + validFor)} (serial {(keys.LastSerial + 1).ToString(CultureInfo.InvariantCulture)})\n" + Describe(info));
    }

    private static async Task<int> RevokeAsync(CliContext context, string kid, string path, CancellationToken cancellationToken)
    {
        var opened = await OpenAsync(context, path, cancellationToken).ConfigureAwait(false);
        if (opened is null)
        {
            return ExitCodes.Failed;
        }

        using var root = opened.Root;
        var (keys, trust) = (opened.Keys, opened.Trust);
        if (string.Equals(keys.Active?.Kid, kid, StringComparison.Ordinal))
        {
            context.Output.Note($"{kid} is the active signing key: the controller cannot sign until 'fleet keys rotate'");
        }

        var current = trust.Revocations;
        var serial = Math.Max(keys.LastSerial, current?.Serial ?? 0) + 1;
        var list = RootSignatures.Revoke(root, (current?.RevokedKids ?? []).Append(kid), serial, context.Time.GetUtcNow());
        return context.Output.PrintLines(
            await context.Api.RevokeAsync(new RevocationRequest { RevocationList = list }, cancellationToken).ConfigureAwait(false),
            ApiJsonContext.Default.KeysInfo,
            info => $"revoked {kid} (revocation list serial {serial.ToString(CultureInfo.InvariantCulture)})\n" + Describe(info));
    }

    // Read only to print it; what the list is worth is decided by the devices, which verify it.
    private static string Describe(KeysInfo keys)
    {
        var revoked = keys.Trust.RevocationList is { } list
            && ProtocolJson.Parse(list.Payload.Span, ProtocolJsonContext.Default.RevocationList) is { Succeeded: true } parsed
                ? string.Join(", ", parsed.Value.RevokedKids)
                : "";
        return string.Join('\n',
            $"root     {keys.Root?.Kid ?? "- (run 'fleet keys init')"}",
            $"active   {keys.Active?.Kid ?? "-"}",
            $"pending  {keys.Pending?.Kid ?? "-"}",
            $"revoked  {(revoked.Length == 0 ? "-" : revoked)}");
    }

    private sealed record OpenedRoot(SigningKey Root, KeysInfo Keys, TrustStore Trust);
}
