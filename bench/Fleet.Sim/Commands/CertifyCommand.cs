using System.CommandLine;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Fleet.Protocol.Api;
using Fleet.Protocol.Keys;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Signing;

namespace Fleet.Sim.Commands;

/// <summary>
/// <c>fleet-sim certify</c>: what <c>fleet keys init</c> does, with a throwaway root, for a benchmark
/// controller that is deleted afterwards: sign a certificate for the controller's pending key and install it.
/// </summary>
internal static class CertifyCommand
{
    public static Command Create()
    {
        var controller = new Option<string>("--controller") { Description = "Controller URL, e.g. http://127.0.0.1:8080", Required = true };
        var token = new Option<string>("--token") { Description = "Operator token (DIR/operator-token)", Required = true };
        var command = new Command(
            "certify",
            "SCALE TESTS ONLY: certify a fresh controller's pending signing key with a throwaway root key that is never written anywhere "
            + "(use `fleet keys init` for a real fleet: it keeps the root).")
        {
            controller, token,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!Uri.TryCreate(parse.GetValue(controller), UriKind.Absolute, out var baseUri))
            {
                Console.Error.WriteLine("fleet-sim: --controller is not an absolute URL");
                return 2;
            }

            using var http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(30) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", parse.GetValue(token));
            var keys = await http.GetFromJsonAsync("/api/v1/keys", ApiJsonContext.Default.KeysInfo, cancellationToken);
            if (keys?.Pending is not { } pending)
            {
                Console.Error.WriteLine($"fleet-sim: the controller has no pending key to certify (active: {keys?.Active?.Kid ?? "none"})");
                return 1;
            }

            using var root = SigningKey.Generate("bench-root");
            var now = TimeProvider.System.GetUtcNow();
            var certificate = new KeyCertificate
            {
                Kid = pending.Kid,
                PublicKey = pending.PublicKey,
                NotBefore = now.AddMinutes(-5),
                NotAfter = now.AddDays(30),
                Serial = keys.LastSerial + 1,
            };
            var request = new KeyInstallRequest
            {
                Root = keys.Root is null ? root.PublicKey : null,
                Certificate = EnvelopeSigner.Sign(root, ProtocolJson.Serialize(certificate, ProtocolJsonContext.Default.KeyCertificate)),
            };
            using var response = await http.PostAsJsonAsync("/api/v1/keys/certificates", request, ApiJsonContext.Default.KeyInstallRequest, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                Console.Error.WriteLine($"fleet-sim: installing the certificate: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
                return 1;
            }

            Console.WriteLine($"fleet-sim: certified signing key {pending.Kid} with a throwaway root 'bench-root'");
            return 0;
        });
        return command;
    }
}
