using System.Text;
using System.Text.RegularExpressions;

namespace GraphAuthResilience.Graph;

/// <summary>
/// Reads Graph's error text for what it says about the kind of token an API accepts ("only valid with delegated
/// authentication flow", "not supported in application-only context", "Application permission is only supported for
/// ...", import-only and retired app-only support...). Another token of the same kind from the same source would be
/// refused the same way, so the challenge handler never refreshes and replays for it, and diagnosis reads it before
/// anything that blames the token itself.
/// </summary>
internal static partial class GraphTokenKindWords
{
    /// <summary>Reads a message (or any error text).</summary>
    /// <param name="text">The text.</param>
    /// <returns>What the text says the API refuses.</returns>
    public static GraphTokenKindRefusal Read(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return GraphTokenKindRefusal.None;
        }

        if (AppOnlyRefused().IsMatch(text))
        {
            return GraphTokenKindRefusal.AppOnlyRefused;
        }

        return DelegatedRefused().IsMatch(text) ? GraphTokenKindRefusal.DelegatedRefused : GraphTokenKindRefusal.None;
    }

    /// <summary>Reads a UTF-8 body prefix.</summary>
    /// <param name="utf8">The bytes.</param>
    /// <returns>What the text says the API refuses.</returns>
    public static GraphTokenKindRefusal Read(ReadOnlySpan<byte> utf8) => utf8.IsEmpty ? GraphTokenKindRefusal.None : Read(Encoding.UTF8.GetString(utf8));

    // The app-only sentences: "only valid with delegated authentication flow" (/me), "not supported in
    // application-only context" / "app-only context", "application permissions are not supported", "app-only token is
    // not supported", "Application permission is only supported for the following entity types" (search), "only
    // supported for import/migration" (Teams messages), "support for application permissions ... retired / deprecated /
    // no longer supported", "requires a signed-in user", "requires user context / delegated".
    [GeneratedRegex(
        @"only valid with delegated|delegated (authentication|auth) flow|not (supported|allowed|available) (in|for|with) (an? )?(application|app)[- ]?only|(application|app)[- ]only (context|token|access|calls?|requests?|authentication)s? (is|are) (not|no longer) (supported|allowed)|application (permissions?|context) (is|are) (not|no longer) (supported|allowed)|application permissions? (is|are) only (supported|allowed|available) for|(application|app)[- ]only .{0,40}only (supported|allowed) for (import|migration)|only (supported|allowed) for (import|migration) .{0,40}(application|app)[- ]only|(application|app)[- ]only .{0,60}(retired|deprecated)|requires? (a )?signed[- ]in user|requires? (a )?(user|delegated) (context|token|authentication)|(needs|must use) (a )?delegated (token|permission|authentication)|does not support (application|app)[- ]?(only|permissions?|context)|not supported for application context|application context is not supported",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 250)]
    private static partial Regex AppOnlyRefused();

    [GeneratedRegex(
        @"delegated (permissions?|tokens?|authentication|context|access) (is|are) not (supported|allowed)|not (supported|allowed) (in|for|with) (a )?delegated|only (supported|valid|allowed) (in|for|with) (an? )?(application|app)[- ]?only|requires? (an? )?(application|app)[- ]only|user (context|tokens?) (is|are) not (supported|allowed)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 250)]
    private static partial Regex DelegatedRefused();
}
