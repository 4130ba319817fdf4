using Fleet.Controller.Api;
using Fleet.Controller.Storage;
using Fleet.Protocol.Api;
using Fleet.Protocol.Keys;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Signing;
using LiteDB;

namespace Fleet.Controller.Keys;

/// <summary>
/// The controller's side of the key hierarchy (docs/api.md, Keys): the pinned root public key, the
/// active signing key (certified by the root), a pending one waiting for its certificate, and the trust
/// documents devices receive. The root's private key never comes here. One document in the store, so a
/// change is all or nothing.
/// </summary>
public sealed class KeyStore : IDisposable
{
    private const string Collection = "keys";
    private const string StateId = "state";

    private readonly ControllerDatabase _database;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _gate = new();
    private PublicKeyDocument? _root;
    private SigningKey? _active;
    private SigningKey? _pending;
    private SignerPool? _signers;
    private TrustDocuments _trust = new();
    private long _lastSerial;

    public KeyStore(ControllerDatabase database, TimeProvider timeProvider)
    {
        _database = database;
        _timeProvider = timeProvider;
        Load();
        if (_active is null && _pending is null)
        {
            // First start: a key ready to be certified by `fleet keys init`.
            _pending = SigningKey.Generate();
            Save();
        }
    }

    /// <summary>Raised after the trust documents changed (certificate installed, revocation list applied).</summary>
    public event Action<TrustDocuments>? TrustChanged;

    public PublicKeyDocument? Root
    {
        get
        {
            lock (_gate)
            {
                return _root;
            }
        }
    }

    public TrustDocuments Trust
    {
        get
        {
            lock (_gate)
            {
                return _trust;
            }
        }
    }

    public KeysInfo Info()
    {
        lock (_gate)
        {
            return new KeysInfo
            {
                Root = _root,
                Active = _active?.PublicKey,
                Pending = _pending?.PublicKey,
                Trust = _trust,
                LastSerial = _lastSerial,
            };
        }
    }

    /// <summary>
    /// Signs with the active key; a failure when no certificate has been installed yet. Thread-safe and
    /// parallel: each caller signs with its own copy of the active key, taken from a pool (an ECDSA key
    /// object is not documented as safe for concurrent use), outside the store's lock, so a rollout's
    /// thousands of desired states are signed on every core.
    /// </summary>
    public ApiOutcome<SignedEnvelope> Sign(ReadOnlyMemory<byte> payload)
    {
        SignerPool pool;
        SigningKey signer;
        lock (_gate)
        {
            if (_active is null)
            {
                return ApiFailure.NotReady("no certified signing key: run `fleet keys init`");
            }

            if (_signers?.Source != _active)
            {
                _signers = new SignerPool(_active);
            }

            pool = _signers;
            signer = pool.Rent();
        }

        try
        {
            return ApiOutcome<SignedEnvelope>.Success(EnvelopeSigner.Sign(signer, payload));
        }
        finally
        {
            pool.Return(signer);
        }
    }

    public bool IsReady
    {
        get
        {
            lock (_gate)
            {
                return _active is not null && _root is not null;
            }
        }
    }

    /// <summary>A fresh pending key (replacing an uncertified one), for rotation.</summary>
    public KeysInfo CreatePending()
    {
        lock (_gate)
        {
            _pending?.Dispose();
            _pending = SigningKey.Generate();
            Save();
        }

        return Info();
    }

    /// <summary>
    /// Installs a root-signed certificate for the pending key, which becomes the active key. The root is
    /// pinned on the first install and must be the same one afterwards.
    /// </summary>
    public ApiOutcome<KeysInfo> Install(KeyInstallRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        TrustDocuments trust;
        lock (_gate)
        {
            var root = _root;
            if (request.Root is { } offered)
            {
                if (root is not null && (offered.Kid != root.Kid || !offered.PublicKey.Span.SequenceEqual(root.PublicKey.Span)))
                {
                    return ApiFailure.Conflict($"root: '{offered.Kid}' is not the pinned root '{root.Kid}'");
                }

                root ??= offered;
            }

            if (root is null)
            {
                return ApiFailure.Invalid("root: required on the first certificate (no root is pinned yet)");
            }

            TrustStore store;
            try
            {
                store = TrustStore.Create(root);
            }
            catch (ArgumentException ex)
            {
                return ApiFailure.Invalid($"root: {ex.Message}");
            }

            var current = store.Apply(_trust);
            if (!current.IsAccepted)
            {
                return ApiFailure.Conflict($"certificate: the stored trust documents do not verify: {current.Message}");
            }

            var added = current.Value.AddCertificate(request.Certificate);
            if (!added.IsAccepted)
            {
                return ApiFailure.Invalid($"certificate: {added.Code}: {added.Message}");
            }

            var opened = store.VerifyRootSigned(request.Certificate, ProtocolJsonContext.Default.KeyCertificate);
            var certificate = opened.Value!;
            var signer = _pending is not null && certificate.Kid == _pending.Kid ? _pending
                : _active is not null && certificate.Kid == _active.Kid ? _active
                : null;
            if (signer is null || !certificate.PublicKey.Span.SequenceEqual(signer.PublicKey.PublicKey.Span))
            {
                return ApiFailure.Invalid($"certificate: kid '{certificate.Kid}' is not this controller's pending key '{_pending?.Kid}'");
            }

            if (certificate.NotAfter <= _timeProvider.GetUtcNow())
            {
                return ApiFailure.Invalid($"certificate: expired at {certificate.NotAfter:O}");
            }

            if (signer == _pending)
            {
                _active?.Dispose();
                _active = _pending;
                _pending = null;
            }

            _root = root;
            _trust = added.Value.ExportDocuments();
            _lastSerial = Math.Max(_lastSerial, certificate.Serial);
            Save();
            trust = _trust;
        }

        TrustChanged?.Invoke(trust);
        return ApiOutcome<KeysInfo>.Success(Info());
    }

    /// <summary>Applies a root-signed revocation list with a higher serial; the active key cannot be revoked (rotate first).</summary>
    public ApiOutcome<KeysInfo> Revoke(RevocationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        TrustDocuments trust;
        lock (_gate)
        {
            if (_root is null)
            {
                return ApiFailure.NotReady("no root is pinned yet: run `fleet keys init`");
            }

            var current = TrustStore.Create(_root).Apply(_trust);
            if (!current.IsAccepted)
            {
                return ApiFailure.Conflict($"revocationList: the stored trust documents do not verify: {current.Message}");
            }

            var list = current.Value.VerifyRootSigned(request.RevocationList, ProtocolJsonContext.Default.RevocationList);
            if (!list.IsAccepted)
            {
                return ApiFailure.Invalid($"revocationList: {list.Code}: {list.Message}");
            }

            if (_active is not null && list.Value.RevokedKids.Contains(_active.Kid, StringComparer.Ordinal))
            {
                return ApiFailure.Conflict($"revocationList: revokes the active signing key '{_active.Kid}': rotate to a new key first");
            }

            var applied = current.Value.ApplyRevocationList(request.RevocationList);
            if (!applied.IsAccepted)
            {
                return ApiFailure.Invalid($"revocationList: {applied.Code}: {applied.Message}");
            }

            _trust = applied.Value.ExportDocuments();
            _lastSerial = Math.Max(_lastSerial, list.Value.Serial);
            Save();
            trust = _trust;
        }

        TrustChanged?.Invoke(trust);
        return ApiOutcome<KeysInfo>.Success(Info());
    }

    public void Dispose()
    {
        _active?.Dispose();
        _pending?.Dispose();
    }

    private void Load()
    {
        var document = _database.Collection(Collection).FindById(StateId);
        if (document is null)
        {
            return;
        }

        _root = document["root"].IsBinary
            ? new PublicKeyDocument { Kid = document["rootKid"].AsString, PublicKey = document["root"].AsBinary }
            : null;
        _active = ImportKey(document["active"]);
        _pending = ImportKey(document["pending"]);
        _trust = document["trust"].IsBinary
            ? ProtocolJson.Parse(document["trust"].AsBinary, ProtocolJsonContext.Default.TrustDocuments).Value ?? new TrustDocuments()
            : new TrustDocuments();
        _lastSerial = document["lastSerial"].AsInt64;
    }

    private static SigningKey? ImportKey(BsonValue value) =>
        value.IsBinary ? SigningKey.ImportJson(value.AsBinary).Value : null;

    private void Save()
    {
        _database.Collection(Collection).Upsert(new BsonDocument
        {
            ["_id"] = StateId,
            ["rootKid"] = _root?.Kid is { } kid ? kid : BsonValue.Null,
            ["root"] = _root is null ? BsonValue.Null : _root.PublicKey.ToArray(),
            ["active"] = _active is null ? BsonValue.Null : _active.ExportJson(),
            ["pending"] = _pending is null ? BsonValue.Null : _pending.ExportJson(),
            ["trust"] = ProtocolJson.Serialize(_trust, ProtocolJsonContext.Default.TrustDocuments),
            ["lastSerial"] = _lastSerial,
        });
    }

    /// <summary>
    /// Copies of one signing key for concurrent signing. Copies are made under the store's lock, while the
    /// source key is alive; a pool whose key was replaced is dropped, its copies left to the finalizer.
    /// </summary>
    private sealed class SignerPool(SigningKey source)
    {
        private readonly System.Collections.Concurrent.ConcurrentBag<SigningKey> _free = [];

        public SigningKey Source { get; } = source;

        public SigningKey Rent() => _free.TryTake(out var key) ? key : SigningKey.ImportJson(Source.ExportJson()).Value!;

        public void Return(SigningKey key) => _free.Add(key);
    }
}
