using System.Text.Json;

namespace GraphAuthResilience.Testing;

/// <summary>One token request <see cref="FakeEntraTokenEndpoint"/> received: its number and form fields.</summary>
/// <remarks>The form holds the client secret or assertion MSAL sent: keep it out of logs.</remarks>
public sealed class FakeEntraTokenRequest
{
    /// <summary>Initializes a new instance of the <see cref="FakeEntraTokenRequest"/> class.</summary>
    /// <param name="number">The 1-based number of the request at the endpoint.</param>
    /// <param name="form">The form fields.</param>
    /// <exception cref="ArgumentNullException"><paramref name="form"/> is <see langword="null"/>.</exception>
    public FakeEntraTokenRequest(int number, IReadOnlyDictionary<string, string> form)
    {
        ArgumentNullException.ThrowIfNull(form);
        Number = number;
        Form = form;
        HasChallengeClaims = CarriesChallengeClaims(form);
    }

    /// <summary>Gets the tenant in the token endpoint's path (<c>https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token</c>),
    /// as MSAL or Azure.Identity sent it, or <see langword="null"/> when unknown.</summary>
    public string? Tenant { get; init; }

    /// <summary>Gets the 1-based number of the request at the endpoint.</summary>
    public int Number { get; }

    /// <summary>Gets the form fields (<c>grant_type</c>, <c>scope</c>, <c>claims</c>, <c>assertion</c>...).</summary>
    public IReadOnlyDictionary<string, string> Form { get; }

    /// <summary>Gets the <c>grant_type</c> (<c>client_credentials</c>, <c>refresh_token</c>, on-behalf-of's <c>jwt-bearer</c>...).</summary>
    public string? GrantType => Form.TryGetValue("grant_type", out var value) ? value : null;

    /// <summary>Gets the <c>claims</c> JSON MSAL sent (client capabilities and any claims from a challenge).</summary>
    public string? Claims => Form.TryGetValue("claims", out var value) && value.Length > 0 ? value : null;

    /// <summary>Gets a value indicating whether <see cref="Claims"/> holds claims from a challenge. MSAL always sends the
    /// client capabilities (<c>{"access_token":{"xms_cc":...}}</c>) as claims; anything else came from a challenge.</summary>
    public bool HasChallengeClaims { get; }

    private static bool CarriesChallengeClaims(IReadOnlyDictionary<string, string> form)
    {
        if (!form.TryGetValue("claims", out var claims) || string.IsNullOrWhiteSpace(claims))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(claims);
            return document.RootElement.ValueKind != JsonValueKind.Object || document.RootElement.EnumerateObject().Any(section =>
                section.Name != "access_token" || section.Value.ValueKind != JsonValueKind.Object
                || section.Value.EnumerateObject().Any(claim => claim.Name != "xms_cc"));
        }
        catch (JsonException)
        {
            return true;
        }
    }
}
