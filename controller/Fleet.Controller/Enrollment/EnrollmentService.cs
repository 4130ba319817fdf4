using Fleet.Controller.Api;
using Fleet.Controller.Broker;
using Fleet.Controller.Devices;
using Fleet.Controller.Keys;
using Fleet.Controller.Publishing;
using Fleet.Controller.Tokens;
using Fleet.Protocol.Enrollment;
using Fleet.Protocol.Topics;

namespace Fleet.Controller.Enrollment;

/// <summary>
/// <c>POST /api/v1/enroll</c>: exchanges an enrollment token for a device's broker credentials, the root
/// key to pin and the current trust documents. Labels: the device's old ones (on re-enrollment), then the
/// request's, then the token's, which win: they are the operator's word, the request is the device's.
/// With an external mosquitto's password file configured, the device's line is written (and mosquitto
/// reloaded) before the credentials are handed out; if that fails, the device is not enrolled.
/// </summary>
public sealed class EnrollmentService(
    TokenStore tokens,
    DeviceRegistry devices,
    KeyStore keys,
    CredentialTable credentials,
    TrustPublisher trust,
    Uri brokerUri,
    MosquittoPasswordFile? passwordFile = null)
{
    public async Task<ApiOutcome<EnrollmentResponse>> EnrollAsync(EnrollmentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (DeviceId.Validate(request.DeviceId) is { } badId)
        {
            return ApiFailure.Invalid($"deviceId: {badId}");
        }

        if (Labels.Validate(request.Labels, "labels") is { } badLabels)
        {
            return ApiFailure.Invalid(badLabels);
        }

        var keysInfo = keys.Info();
        if (keysInfo.Root is not { } root || keysInfo.Active is null)
        {
            return ApiFailure.NotReady("no certified signing key: run `fleet keys init`");
        }

        var token = tokens.TryUse(request.Token);
        if (!token.Succeeded)
        {
            return token.Failure!;
        }

        var labels = new Dictionary<string, string>(request.Labels, StringComparer.Ordinal);
        foreach (var (key, value) in token.Value!.Labels)
        {
            labels[key] = value;
        }

        var secret = DeviceSecret.Create();
        var hash = DeviceSecret.Hash(secret);
        if (passwordFile is not null)
        {
            try
            {
                await passwordFile.SetDeviceAsync(request.DeviceId, secret, cancellationToken);
            }
            catch (IOException ex)
            {
                return ApiFailure.NotReady(ex.Message);
            }
        }

        var device = devices.Enroll(request.DeviceId, labels, hash);
        credentials.SetDevice(request.DeviceId, hash);
        await trust.PublishAsync(request.DeviceId, cancellationToken);
        return ApiOutcome<EnrollmentResponse>.Success(new EnrollmentResponse
        {
            DeviceId = request.DeviceId,
            Broker = new BrokerCredentials { Uri = brokerUri, Username = request.DeviceId, Password = secret },
            Root = root,
            Trust = keysInfo.Trust,
            Labels = device.Labels,
        });
    }
}
