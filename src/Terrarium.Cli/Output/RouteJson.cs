using System.Text.Json.Serialization;
using Terrarium.Operations.Routes;

namespace Terrarium.Cli.Output;

/// <summary>One row of `route list -o json|yaml` (snake_case like the other commands; null where the table shows '-').</summary>
public sealed record RouteListRow(
    [property: JsonPropertyName("project")] string Project,
    [property: JsonPropertyName("instance")] string Instance,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("host")] string? Host,
    [property: JsonPropertyName("path")] string? Path,
    [property: JsonPropertyName("entry")] string Entry,
    [property: JsonPropertyName("backend")] string? Backend,
    [property: JsonPropertyName("served_by")] IReadOnlyList<string> ServedBy,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("reason")] string? Reason,
    [property: JsonPropertyName("certificate")] CertificateJson? Certificate)
{
    public static RouteListRow Of(RouteRow r) => new(r.Project, r.Instance, r.Name, r.Host, r.Path, r.Entry, r.Backend, r.ServedBy, r.State, r.Reason,
        CertificateJson.Of(r.Certificate));
}

/// <summary>A route host's certificate: state valid, due, ordering, failed or refused.</summary>
public sealed record CertificateJson(
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("valid_until")] DateTimeOffset? ValidUntil,
    [property: JsonPropertyName("renew_at")] DateTimeOffset? RenewAt,
    [property: JsonPropertyName("holder")] string? Holder,
    [property: JsonPropertyName("error")] string? Error,
    [property: JsonPropertyName("retry_at")] DateTimeOffset? RetryAt,
    [property: JsonPropertyName("summary")] string Summary)
{
    public static CertificateJson? Of(Terrarium.Cluster.Tls.HostCertificate? c) => c is null ? null
        : new(c.State.ToString().ToLowerInvariant(), c.ValidUntil, c.RenewAt, c.Holder, c.Error, c.RetryAt, c.Describe());
}

/// <summary>What `route set|unset` changed: the key's new value, null once unset.</summary>
public sealed record RouteChangeOutput(
    [property: JsonPropertyName("project")] string Project,
    [property: JsonPropertyName("instance")] string Instance,
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("value")] string? Value,
    [property: JsonPropertyName("changed")] bool Changed);
