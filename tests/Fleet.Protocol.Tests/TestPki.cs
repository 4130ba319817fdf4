using Fleet.Protocol.Keys;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Signing;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Protocol.Tests;

/// <summary>A root, one certified online signing key, a trust store with both, and a fake clock inside the certificate's window.</summary>
internal sealed class TestPki : IDisposable
{
    public static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    public TestPki()
    {
        Root = SigningKey.Generate("root-1");
        Signer = SigningKey.Generate("ctl-1");
        Clock = new FakeTimeProvider(Now);
        var created = TrustStore.Create(Root.PublicKey).AddCertificate(Certify(Signer, serial: 1));
        Assert.True(created.IsAccepted, created.ToString());
        Trust = created.Value;
    }

    public SigningKey Root { get; }

    public SigningKey Signer { get; }

    public FakeTimeProvider Clock { get; }

    public TrustStore Trust { get; }

    /// <summary>A root-signed certificate valid from a day before <see cref="Now"/> to 30 days after, unless told otherwise.</summary>
    public byte[] Certify(SigningKey key, long serial, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null, SigningKey? issuer = null) =>
        EnvelopeSigner.Sign(
            issuer ?? Root,
            new KeyCertificate
            {
                Kid = key.Kid,
                PublicKey = key.PublicKey.PublicKey,
                NotBefore = notBefore ?? Now.AddDays(-1),
                NotAfter = notAfter ?? Now.AddDays(30),
                Serial = serial,
            },
            ProtocolJsonContext.Default.KeyCertificate);

    public byte[] Revoke(long serial, params string[] kids) =>
        EnvelopeSigner.Sign(
            Root,
            new RevocationList { Serial = serial, IssuedAt = Now, RevokedKids = kids },
            ProtocolJsonContext.Default.RevocationList);

    public static DesiredState Desired(long version, string deviceId = "dev-1") => new()
    {
        DeviceId = deviceId,
        Version = version,
        IssuedAt = Now,
        AcceptUntil = Now.AddDays(7),
        Stacks =
        [
            new StackSpec { Name = "web", Digest = "sha256:abc", Compose = "services:\n  web:\n    image: nginx\n" },
        ],
    };

    public byte[] Sign(DesiredState desired, SigningKey? key = null) =>
        EnvelopeSigner.Sign(key ?? Signer, desired, ProtocolJsonContext.Default.DesiredState);

    public void Dispose()
    {
        Root.Dispose();
        Signer.Dispose();
    }
}
