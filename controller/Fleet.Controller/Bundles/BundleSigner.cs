using Fleet.Controller.Api;
using Fleet.Controller.Hosting;
using Fleet.Controller.Keys;
using Fleet.Controller.Publishing;
using Fleet.Controller.Stacks;
using Fleet.Protocol.Api;
using Fleet.Protocol.Bundles;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Selectors;
using Fleet.Protocol.Serialization;

namespace Fleet.Controller.Bundles;

/// <summary>
/// <c>POST /api/v1/bundles</c>: signs a desired state for a selector (the next fleet-wide version, so a
/// device that later gets the same stack over MQTT takes it as newer) and a <see cref="BundleManifest"/>
/// over the images the console saved. The controller never sees the image archives.
/// </summary>
public sealed class BundleSigner(StackStore stacks, KeyStore keys, DesiredVersionCounter counter, ControllerOptions options, TimeProvider timeProvider)
{
    public ApiOutcome<BundleResponse> Sign(BundleRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var selector = LabelSelector.Parse(request.Target ?? "");
        if (!selector.Succeeded)
        {
            return ApiFailure.Invalid($"target: {selector.Error}");
        }

        if (request.AcceptForSeconds is < 1)
        {
            return ApiFailure.Invalid($"acceptForSeconds: {request.AcceptForSeconds} must be positive");
        }

        foreach (var image in request.Images)
        {
            if (BundleLayout.ValidateImageFile(image.File) is { } invalid)
            {
                return ApiFailure.Invalid($"images: {invalid}");
            }

            if (image.Sha256.Length != 64 || !image.Sha256.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'))
            {
                return ApiFailure.Invalid($"images: image '{image.Reference}' has no lowercase hex SHA-256");
            }
        }

        if (stacks.Get(request.Stack, request.Version) is not { } version)
        {
            return ApiFailure.NotFound(request.Version is { } v ? $"no version {v} of stack '{request.Stack}'" : $"no stack '{request.Stack}'");
        }

        if (!keys.IsReady)
        {
            return ApiFailure.NotReady("no certified signing key: run `fleet keys init`");
        }

        var now = timeProvider.GetUtcNow();
        var desired = new DesiredState
        {
            Selector = selector.Value.ToString(),
            Version = counter.Next(),
            IssuedAt = now,
            AcceptUntil = request.AcceptForSeconds is { } seconds ? now.AddSeconds(seconds) : now.AddHours(options.AcceptForHours),
            Stacks = [new StackSpec { Name = version.Name, Digest = version.Digest, Compose = version.DeviceCompose }],
        };
        var signedDesired = keys.Sign(ProtocolJson.Serialize(desired, ProtocolJsonContext.Default.DesiredState));
        if (!signedDesired.Succeeded)
        {
            return signedDesired.Failure!;
        }

        var manifest = new BundleManifest { CreatedAt = now, Desired = signedDesired.Value!, Images = request.Images };
        var signedManifest = keys.Sign(ProtocolJson.Serialize(manifest, ProtocolJsonContext.Default.BundleManifest));
        return signedManifest.Succeeded
            ? ApiOutcome<BundleResponse>.Success(new BundleResponse { Manifest = signedManifest.Value!, Trust = keys.Trust })
            : signedManifest.Failure!;
    }
}
