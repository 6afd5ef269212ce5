using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using GraphAuthResilience.Graph;

namespace GraphAuthResilience;

/// <summary>
/// What diagnosis needs to know about a token that was sent, read from the JWT payload without validating it.
/// Holds no names, user principal names, e-mail addresses or the token itself.
/// </summary>
public sealed class GraphTokenInfo
{
    /// <summary>The tenant id of personal Microsoft accounts (outlook.com, hotmail.com, live.com).</summary>
    public const string PersonalAccountTenantId = "9188040d-6c67-4c5b-b112-36a304b66dad";

    /// <summary>The application id of Microsoft Graph, which also appears as an audience.</summary>
    public const string GraphApplicationId = "00000003-0000-0000-c000-000000000000";

    private const int MaxTokenLength = 64 * 1024;

    /// <summary>Initializes a new instance of the <see cref="GraphTokenInfo"/> class: only <see cref="TryParse"/> makes
    /// one from a token (and tests, to describe a token without building one).</summary>
    /// <param name="audience">The <c>aud</c> claim.</param>
    /// <param name="tenantId">The <c>tid</c> claim.</param>
    /// <param name="scopes">The delegated scopes (<c>scp</c>).</param>
    /// <param name="roles">The application roles (<c>roles</c>).</param>
    /// <param name="isAppOnly">Whether the token was issued to an application without a user.</param>
    /// <param name="expiresOn">The <c>exp</c> claim.</param>
    /// <param name="appId">The <c>appid</c> or <c>azp</c> claim: the client that asked for the token.</param>
    internal GraphTokenInfo(
        string? audience,
        string? tenantId,
        IReadOnlyList<string> scopes,
        IReadOnlyList<string> roles,
        bool isAppOnly,
        DateTimeOffset? expiresOn,
        string? appId = null)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        ArgumentNullException.ThrowIfNull(roles);
        Audience = audience;
        TenantId = tenantId;
        Scopes = scopes;
        Roles = roles;
        IsAppOnly = isAppOnly;
        ExpiresOn = expiresOn;
        AppId = appId;
    }

    /// <summary>Gets the audience (<c>aud</c>): whom the token is for.</summary>
    public string? Audience { get; }

    /// <summary>Gets the tenant id (<c>tid</c>).</summary>
    public string? TenantId { get; }

    /// <summary>Gets the delegated scopes (<c>scp</c>, space separated in the token).</summary>
    public IReadOnlyList<string> Scopes { get; }

    /// <summary>Gets the application roles (<c>roles</c>).</summary>
    public IReadOnlyList<string> Roles { get; }

    /// <summary>Gets a value indicating whether the token is app-only (<c>idtyp=app</c>, or no <c>scp</c>).</summary>
    public bool IsAppOnly { get; }

    /// <summary>Gets a value indicating whether the token belongs to a personal Microsoft account.</summary>
    public bool IsPersonalAccount => string.Equals(TenantId, PersonalAccountTenantId, StringComparison.OrdinalIgnoreCase);

    /// <summary>Gets when the token expires (<c>exp</c>).</summary>
    public DateTimeOffset? ExpiresOn { get; }

    /// <summary>Gets the id of the application the token was issued to (<c>appid</c> or <c>azp</c>).</summary>
    public string? AppId { get; }

    /// <summary>Gets a value indicating whether an Azure managed identity holds the token (an app-only token with
    /// <c>xms_mirid</c>): its app roles can lag behind a grant for up to 24 hours.</summary>
    internal bool IsManagedIdentity { get; init; }

    /// <summary>Gets the cloud the token was issued in (<c>global</c>, <c>usgov</c>, <c>dod</c>, <c>china</c>), from the
    /// audience's Graph host or the issuer's host, or <see langword="null"/> when neither says.</summary>
    internal string? Cloud { get; init; }

    /// <summary>Gets a value indicating whether the audience is Microsoft Graph (any cloud).</summary>
    public bool IsGraphAudience => IsGraphAudienceValue(Audience);

    /// <summary>Reads the payload of a JWT without validating it.</summary>
    /// <param name="token">The compact JWT (with or without a <c>Bearer </c> prefix).</param>
    /// <param name="info">The claims diagnosis needs, when the token could be read.</param>
    /// <returns><see langword="true"/> when the token is a readable JWT.</returns>
    public static bool TryParse(string? token, [NotNullWhen(true)] out GraphTokenInfo? info)
    {
        info = null;
        if (string.IsNullOrWhiteSpace(token) || token.Length > MaxTokenLength)
        {
            return false;
        }

        var span = token.AsSpan().Trim();
        if (span.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            span = span[7..].Trim();
        }

        var first = span.IndexOf('.');
        if (first <= 0)
        {
            return false;
        }

        var rest = span[(first + 1)..];
        var second = rest.IndexOf('.');
        if (second <= 0 || rest[(second + 1)..].Contains('.'))
        {
            // Not three segments (a JWE has five; we cannot read those).
            return false;
        }

        var payload = Base64UrlText.TryDecode(rest[..second]);
        if (payload is null)
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(payload, new JsonDocumentOptions { MaxDepth = 16 });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            var aud = ReadString(root, "aud");
            var tid = ReadString(root, "tid");
            var scp = ReadString(root, "scp");
            var scopes = string.IsNullOrWhiteSpace(scp)
                ? Array.Empty<string>()
                : scp.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var roles = ReadStringArray(root, "roles");
            var idtyp = ReadString(root, "idtyp");
            var isAppOnly = idtyp is not null
                ? string.Equals(idtyp, "app", StringComparison.OrdinalIgnoreCase)
                : scopes.Length == 0;
            DateTimeOffset? exp = root.TryGetProperty("exp", out var expElement) && expElement.ValueKind == JsonValueKind.Number
                && expElement.TryGetInt64(out var seconds) && seconds is > 0 and < 253402300799
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : null;
            var appId = ReadString(root, "appid") ?? ReadString(root, "azp");
            info = new GraphTokenInfo(aud, tid, scopes, roles, isAppOnly, exp, appId)
            {
                // Only whether the claim is there: its value names the Azure resource, which diagnosis never needs.
                IsManagedIdentity = isAppOnly && root.TryGetProperty("xms_mirid", out _),
                Cloud = GraphClouds.CloudOfToken(aud, ReadString(root, "iss")),
            };
            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Returns the audience, tenant, permissions and expiry; never the token.</summary>
    /// <returns>A description safe for logs.</returns>
    public override string ToString() => SafeText.Bound(
        $"aud={Audience ?? "?"}, tid={TenantId ?? "?"}, {(IsAppOnly ? "app-only" : "delegated")}, scp=[{string.Join(' ', Scopes)}], roles=[{string.Join(' ', Roles)}], exp={ExpiresOn?.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? "?"}", SafeText.MaxMessageLength);

    internal static bool IsGraphAudienceValue(string? audience)
    {
        if (string.IsNullOrEmpty(audience))
        {
            return false;
        }

        if (string.Equals(audience, GraphApplicationId, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (!Uri.TryCreate(audience, UriKind.Absolute, out var uri))
        {
            return false;
        }

        return DefaultGraphHosts.Contains(uri.Host);
    }

    internal static readonly HashSet<string> DefaultGraphHosts = new(StringComparer.OrdinalIgnoreCase)
    {
        "graph.microsoft.com",
        "canary.graph.microsoft.com",
        "graph.microsoft.us",
        "dod-graph.microsoft.us",
        "microsoftgraph.chinacloudapi.cn",
        "graph.microsoft.de",
    };

    private static string? ReadString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String ? element.GetString() : null;

    private static string[] ReadStringArray(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var element))
        {
            return [];
        }

        if (element.ValueKind == JsonValueKind.String)
        {
            return [element.GetString()!];
        }

        if (element.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var list = new List<string>();
        foreach (var item in element.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String && item.GetString() is { Length: > 0 } value)
            {
                list.Add(value);
            }
        }

        return [.. list];
    }
}
