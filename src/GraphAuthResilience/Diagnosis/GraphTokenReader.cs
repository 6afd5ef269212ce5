using System.Globalization;
using GraphAuthResilience.Graph;

namespace GraphAuthResilience.Diagnosis;

/// <summary>Reads the token that was sent: whether there was one, its audience and cloud against the request's host,
/// its expiry against the diagnosis time, its kind and what it holds.</summary>
internal static class GraphTokenReader
{
    /// <summary>Reads the token facts.</summary>
    /// <param name="sent">Whether a non-empty bearer token was sent.</param>
    /// <param name="token">The payload, when readable.</param>
    /// <param name="requestUri">Where the request went.</param>
    /// <param name="now">The time of the diagnosis.</param>
    /// <returns>The finding.</returns>
    public static GraphTokenFinding Read(bool sent, GraphTokenInfo? token, Uri? requestUri, DateTimeOffset now) => new()
    {
        Sent = sent,
        Info = token,
        WrongAudience = token is null ? null : WrongAudience(token, requestUri),
        ExpiredAt = token?.ExpiresOn is { } exp && exp <= now ? exp : null,
    };

    private static string? WrongAudience(GraphTokenInfo token, Uri? requestUri)
    {
        if (!token.IsGraphAudience)
        {
            return string.Create(CultureInfo.InvariantCulture, $"The token's audience is '{token.Audience ?? "(none)"}' ({GraphClouds.AudienceName(token.Audience)}), not Microsoft Graph.");
        }

        if (Uri.TryCreate(token.Audience, UriKind.Absolute, out var audience) && requestUri is { IsAbsoluteUri: true }
            && GraphClouds.CloudOf(audience.Host) is { } tokenCloud && GraphClouds.CloudOf(requestUri.Host) is { } requestCloud
            && !string.Equals(tokenCloud, requestCloud, StringComparison.Ordinal))
        {
            return $"The token is for {audience.Host} but the request went to {requestUri.Host}: a token of one cloud cannot call another.";
        }

        return null;
    }
}
