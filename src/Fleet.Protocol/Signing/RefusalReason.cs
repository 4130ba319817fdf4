namespace Fleet.Protocol.Signing;

/// <summary>
/// Why a signed message (or a document of the trust chain) was refused, in the order the checks run.
/// On the wire and in events these are the kebab-case codes of <see cref="RefusalReasonCodes"/>.
/// </summary>
public enum RefusalReason
{
    None = 0,

    /// <summary><c>too-large</c>: over the size cap; nothing of it was parsed.</summary>
    TooLarge,

    /// <summary><c>malformed</c>: not an envelope <c>{kid, payload, sig}</c>.</summary>
    Malformed,

    /// <summary><c>unknown-key</c>: no certificate for the kid (or, for root documents, not the pinned root).</summary>
    UnknownKey,

    /// <summary><c>revoked-key</c>: the kid is on the newest revocation list.</summary>
    RevokedKey,

    /// <summary><c>key-expired</c>: now is past the certificate's notAfter.</summary>
    KeyExpired,

    /// <summary><c>key-not-yet-valid</c>: now is before the certificate's notBefore (often a device clock that is wrong).</summary>
    KeyNotYetValid,

    /// <summary><c>bad-signature</c>: the signature does not match the exact payload bytes under the key.</summary>
    BadSignature,

    /// <summary><c>malformed-payload</c>: signed correctly, but not the expected message shape.</summary>
    MalformedPayload,

    /// <summary><c>wrong-device</c>: for another device id, or a selector that does not match this device's labels.</summary>
    WrongDevice,

    /// <summary><c>duplicate</c>: the version already accepted (e.g. the retained message again); nothing to do.</summary>
    Duplicate,

    /// <summary><c>replayed</c>: a version below the highest accepted one; refused to prevent rollback.</summary>
    Replayed,

    /// <summary><c>expired</c>: past its acceptUntil.</summary>
    Expired,
}
