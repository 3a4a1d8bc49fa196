namespace Terrarium.Host.Acme;

/// <summary>An order (RFC 8555 §7.1.3). Url is where it is fetched again; Certificate is set once it is valid.</summary>
public sealed record AcmeOrder(string Url, string Status, IReadOnlyList<string> Authorizations, string Finalize, string? Certificate,
    AcmeProblem? Error);

/// <summary>An authorization (RFC 8555 §7.1.4) for one DNS name and the challenges that can prove it.</summary>
public sealed record AcmeAuthorization(string Url, string Status, string Identifier, IReadOnlyList<AcmeChallenge> Challenges);

/// <summary>A challenge (RFC 8555 §8); Error says why validation failed once Status is "invalid".</summary>
public sealed record AcmeChallenge(string Type, string Url, string Status, string Token, AcmeProblem? Error);

/// <summary>A problem document (RFC 7807, RFC 8555 §6.7) as the server sent it, or "about:blank" for a bare failure.</summary>
public sealed record AcmeProblem(string Type, string Detail, int Status)
{
    public const string BadNonce = "urn:ietf:params:acme:error:badNonce";

    public override string ToString() => Detail.Length == 0 ? $"{Type} (HTTP {Status})" : $"{Type}: {Detail} (HTTP {Status})";
}

/// <summary>An ACME request the server refused (or answered with something unusable); Problem says how.</summary>
public sealed class AcmeException(AcmeProblem problem) : Exception($"The ACME server refused the request: {problem}")
{
    public AcmeProblem Problem { get; } = problem;
}
