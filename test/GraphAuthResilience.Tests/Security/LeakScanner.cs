using System.Text.RegularExpressions;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Infrastructure;

namespace GraphAuthResilience.Tests;

/// <summary>Finds secrets in recorded text: each secret whole, each token's payload segment, and token-shaped text.</summary>
internal static partial class LeakScanner
{
    /// <summary>Returns one finding per (line, secret) hit. A token is searched whole and by its payload segment.</summary>
    public static List<string> Scan(IEnumerable<string> lines, IEnumerable<string> secrets, IEnumerable<string> tokens)
    {
        var needles = new List<(string Label, string Value)>();
        needles.AddRange(secrets.Where(s => s.Length >= 8).Select(s => ("secret", s)));
        foreach (var token in tokens)
        {
            needles.Add(("token", token));
            var parts = token.Split('.');
            if (parts.Length >= 2 && parts[1].Length >= 16)
            {
                needles.Add(("token payload segment", parts[1]));
                needles.Add(("token payload segment (first 24 chars)", parts[1][..24]));
            }
        }

        var findings = new List<string>();
        foreach (var line in lines)
        {
            foreach (var (label, value) in needles.Distinct())
            {
                if (line.Contains(value, StringComparison.Ordinal))
                {
                    findings.Add($"{label} '{Shorten(value)}' in: {Shorten(line, 300)}");
                }
            }
        }

        return findings;
    }

    private static readonly string[] KnownSecrets =
    [
        FakeEntraTokenEndpoint.Secret,
        Security.LeakScanTests.SecretMarker,
        Security.LeakScanTests.AssertionMarker,
        Security.LeakScanTests.BodyMarker,
    ];

    /// <summary>Token-shaped text (base64url JSON, as every JWT segment is) or a client secret, assertion or
    /// token-endpoint body marker the suite uses.</summary>
    public static List<string> JwtShapedOrKnownSecrets(IEnumerable<string> lines) =>
        lines.Where(l => JwtShaped().IsMatch(l) || KnownSecrets.Any(s => l.Contains(s, StringComparison.Ordinal)))
            .Select(l => Shorten(l, 300)).ToList();

    private static string Shorten(string value, int max = 40) => value.Length <= max ? value : value[..max] + "...";

    [GeneratedRegex("eyJ[A-Za-z0-9_-]{12,}")]
    private static partial Regex JwtShaped();
}
