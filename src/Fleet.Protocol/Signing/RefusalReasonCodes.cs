namespace Fleet.Protocol.Signing;

/// <summary>The stable kebab-case code of each <see cref="RefusalReason"/>, as used in events and logs.</summary>
public static class RefusalReasonCodes
{
    public static string ToCode(this RefusalReason reason) => reason switch
    {
        RefusalReason.None => "none",
        RefusalReason.TooLarge => "too-large",
        RefusalReason.Malformed => "malformed",
        RefusalReason.UnknownKey => "unknown-key",
        RefusalReason.RevokedKey => "revoked-key",
        RefusalReason.KeyExpired => "key-expired",
        RefusalReason.KeyNotYetValid => "key-not-yet-valid",
        RefusalReason.BadSignature => "bad-signature",
        RefusalReason.MalformedPayload => "malformed-payload",
        RefusalReason.WrongDevice => "wrong-device",
        RefusalReason.Duplicate => "duplicate",
        RefusalReason.Replayed => "replayed",
        RefusalReason.Expired => "expired",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "unknown refusal reason"),
    };
}
