using System.Globalization;
using System.Net;
using System.Text;
using GraphAuthResilience.Graph;
using GraphAuthResilience.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace GraphAuthResilience.Demo;

/// <summary>
/// <c>diagnose</c>: explains a Graph answer someone captured by sending one request through the real chain over a
/// fake primary handler that answers with the given status, headers and body, and a token source that returns the
/// given token. The library's own classifier decides; the token is never printed.
/// </summary>
internal static class DiagnoseCommand
{
    private const string Usage =
        "usage: diagnose --status <code> [--headers <file>] [--body <file>|-] [--request \"<METHOD> <url>\"] [--token-file <file>]\n" +
        "       (a token-endpoint answer: --request \"POST https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token\", or a body with error/error_description;\n" +
        "        --scopes \"User.Read Mail.Send\": the scopes the token request asked for, default https://graph.microsoft.com/.default)";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, TextReader stdin)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            output.WriteLine(Usage);
            output.WriteLine("Headers are raw 'Name: value' lines (a status line is skipped). The token file holds the access token that was sent; it is read, never printed.");
            output.WriteLine("A token-endpoint answer (an AADSTS JSON body from login.microsoftonline.com) is explained through the same mapping the MSAL token sources use: real MSAL receives it from an in-process endpoint.");
            return 0;
        }

        Input input;
        try
        {
            input = await ParseAsync(args, stdin);
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or UnauthorizedAccessException or FormatException)
        {
            error.WriteLine(Safe(ex.Message));
            error.WriteLine(Usage);
            return 2;
        }

        if (input.IsTokenEndpointAnswer)
        {
            return await TokenEndpointAsync(input, output);
        }

        var graph = new FakeGraph { Respond = (request, _) => input.CreateResponse(request) };
        var tokenSource = new FixedTokenSource(input.Token);
        var services = new ServiceCollection();
        services.AddHttpClient("diagnose")
            .AddGraphAuthHandlers(o =>
            {
                o.TokenSource = tokenSource;
                o.ThrowOnAuthFailure = false;
            })
            .ConfigurePrimaryHttpMessageHandler(() => graph);
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("diagnose");

        using var request = new HttpRequestMessage(input.Method, input.Uri);
        if (input.Method != HttpMethod.Get && input.Method != HttpMethod.Delete && input.Method != HttpMethod.Head)
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        GraphAuthException? failure;
        HttpStatusCode status;
        try
        {
            using var response = await client.SendAsync(request);
            failure = response.GetGraphAuthFailure();
            status = response.StatusCode;
        }
        catch (Exception ex) when (GraphAuthFailures.Unwrap(ex) is { } thrown)
        {
            failure = thrown;
            status = (HttpStatusCode)input.Status;
        }

        output.WriteLine($"Request:              {Safe(input.Method.Method)} {Safe(input.Uri.ToString())}");
        output.WriteLine($"Graph answered:       {input.Status} ({graph.Sends} send{(graph.Sends == 1 ? string.Empty : "s")} through the chain{(graph.Sends > 1 ? ": the chain refreshed the token or met the challenge and replayed once; the captured answer came back again" : string.Empty)})");
        if (failure is null)
        {
            output.WriteLine($"Cause:                (none) - the chain does not treat {(int)status} {status} from {input.Uri.Host} as an auth failure"
                + (input.Uri.Scheme != Uri.UriSchemeHttps || !IsGraphHost(input.Uri) ? " (only https requests to Graph hosts are diagnosed)." : "."));
            return 0;
        }

        output.WriteLine($"Cause:                {failure.Cause}");
        output.WriteLine($"Confidence:           {failure.Confidence}");
        output.WriteLine($"Alternatives:         {(failure.AlternativeCauses.Count == 0 ? "(none)" : string.Join(", ", failure.AlternativeCauses))}");
        foreach (var evidence in failure.Evidence)
        {
            output.WriteLine($"Evidence:             {Safe(evidence)}");
        }

        output.WriteLine($"Remediation:          {Safe(failure.Remediation)}");
        output.WriteLine($"Required permissions: {(failure.RequiredPermissions.Count == 0 ? "(not known for this call)" : Safe(string.Join(", ", failure.RequiredPermissions)))}");
        WriteGrants(output, failure.Grants);
        output.WriteLine($"Graph error code:     {Safe(failure.GraphErrorCode) ?? "(none)"}");
        output.WriteLine($"Request id:           {Safe(failure.RequestId) ?? "(none)"}");
        output.WriteLine($"Client request id:    {Safe(failure.ClientRequestId) ?? "(none)"}");
        if (input.Date is not null)
        {
            output.WriteLine($"Date:                 {Safe(input.Date)}");
        }

        if (failure.Claims is not null)
        {
            output.WriteLine($"Claims (for sign-in): {Safe(failure.Claims, SafeText.MaxClaimsLength)}");
        }

        output.WriteLine($"Token that was sent:  {(failure.Token is null ? (input.TokenGiven ? "(not a readable JWT)" : "(no --token-file given)") : Safe(failure.Token.ToString()))}");
        foreach (var link in failure.HelpLinks)
        {
            output.WriteLine($"Help:                 {Safe(link.ToString())}");
        }

        if (failure.Cause == GraphAuthFailureCause.UnsatisfiedClaimsChallenge)
        {
            output.WriteLine("Note: the chain normally meets a claims challenge itself (re-acquire with the claims, replay once); it surfaces only when the replay is challenged again, as it was here because the same answer was replayed.");
        }

        return 0;
    }

    /// <summary>Per grant: <c>Grant:</c> (name, kind, id, admin consent), <c>Consent:</c>, <c>Azure CLI:</c> and
    /// <c>PowerShell:</c>, a command's further lines indented under its first.</summary>
    private static void WriteGrants(TextWriter output, IReadOnlyList<GraphPermissionGrant> grants)
    {
        foreach (var grant in grants)
        {
            var id = grant.Id == Guid.Empty ? "id not known for this cloud: the commands look it up by name" : "id " + grant.Id.ToString("D");
            output.WriteLine($"Grant:                {grant.Permission} ({grant.Kind}, {id}, {(grant.RequiresAdminConsent ? "admin consent needed" : "user consent suffices")})");
            output.WriteLine($"Consent:              {grant.AdminConsentUri?.AbsoluteUri ?? "(no consent link: a managed identity or a personal account is not granted that way)"}");
            output.WriteLine($"Azure CLI:            {grant.AzureCliCommand.Replace("\n", "\n                      ", StringComparison.Ordinal)}");
            output.WriteLine($"PowerShell:           {grant.PowerShellCommand.Replace("\n", "\n                      ", StringComparison.Ordinal)}");
        }
    }

    /// <summary>Every value printed from a captured answer (or the command line) goes through the library's sanitiser:
    /// control characters (CR/LF, ESC, OSC, NUL...) escaped, length bounded, so no input can drive the terminal.</summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(value))]
    private static string? Safe(string? value, int maxLength = SafeText.MaxMessageLength) =>
        value is null ? null : SafeText.Bound(value, maxLength);

    private static bool IsGraphHost(Uri uri) => new GraphAuthOptions().AllowedHosts.Contains(uri.Host);

    /// <summary>
    /// Replays an answer of the token endpoint to real MSAL (through an in-process endpoint) and lets the library's
    /// MSAL token source map what MSAL throws, exactly as it does in production: client credentials, or on-behalf-of
    /// when the answer is about a user (invalid_grant, interaction_required, consent), where MSAL asks for a sign-in.
    /// </summary>
    private static async Task<int> TokenEndpointAsync(Input input, TextWriter output)
    {
        using var endpoint = new FakeEntraTokenEndpoint { DefaultAnswer = _ => input.CreateResponse(null) };
        var app = endpoint.CreateConfidentialClient();
        var error = input.OAuthError ?? string.Empty;
        var userFlow = error is "invalid_grant" or "interaction_required" or "consent_required";
        var source = userFlow
            ? MsalTokenSource.OnBehalfOf(app, _ => ValueTask.FromResult(UnsignedJwt.Delegated("access_as_user").Build()))
            : MsalTokenSource.ForClientCredentials(app);
        GraphAuthException? failure = null;
        try
        {
            await source.GetTokenAsync(new GraphTokenRequest(input.Scopes), CancellationToken.None);
        }
        catch (GraphAuthException ex)
        {
            failure = ex;
        }

        output.WriteLine($"Request:              POST {(input.Uri.Host.StartsWith("login.", StringComparison.OrdinalIgnoreCase) ? input.Uri.GetLeftPart(UriPartial.Path) : "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token")} ({(userFlow ? "on-behalf-of" : "client credentials")} through real MSAL)");
        output.WriteLine($"Token endpoint:       {input.Status} ({endpoint.Posts} POST{(endpoint.Posts == 1 ? string.Empty : "s")})");
        if (failure is null)
        {
            output.WriteLine("Cause:                (none) - MSAL accepted the answer as a token.");
            return 0;
        }

        output.WriteLine($"Cause:                {failure.Cause}");
        output.WriteLine($"Remediation:          {Safe(failure.Remediation)}");
        output.WriteLine($"Required permissions: {(failure.RequiredPermissions.Count == 0 ? "(not known for this call)" : Safe(string.Join(", ", failure.RequiredPermissions)))}");
        if (failure.Cause == GraphAuthFailureCause.ConsentRequired)
        {
            output.WriteLine($"Scopes asked for:     {Safe(string.Join(' ', failure.Scopes))}");
        }

        WriteGrants(output, failure.Grants);
        output.WriteLine($"AADSTS code:          {Safe(failure.AadstsCode) ?? "(none)"}");
        output.WriteLine($"OAuth error:          {Safe(failure.TokenEndpointError) ?? "(none)"}");
        output.WriteLine($"Correlation id:       {Safe(failure.RequestId) ?? "(none)"}");
        if (failure.Claims is not null)
        {
            output.WriteLine($"Claims (for sign-in): {Safe(failure.Claims, SafeText.MaxClaimsLength)}");
        }

        foreach (var link in failure.HelpLinks)
        {
            output.WriteLine($"Help:                 {Safe(link.ToString())}");
        }

        return 0;
    }

    private static async Task<Input> ParseAsync(string[] args, TextReader stdin)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is not ("--status" or "--headers" or "--body" or "--request" or "--token-file" or "--scopes"))
            {
                throw new ArgumentException($"Unknown option '{args[i]}'.");
            }

            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"Option '{args[i]}' needs a value.");
            }

            values[args[i]] = args[++i];
        }

        if (!values.TryGetValue("--status", out var statusText) || !int.TryParse(statusText, NumberStyles.None, CultureInfo.InvariantCulture, out var status) || status is < 100 or > 599)
        {
            throw new ArgumentException("--status must be an HTTP status code such as 401 or 403.");
        }

        var method = HttpMethod.Get;
        var uri = new Uri("https://graph.microsoft.com/v1.0/");
        if (values.TryGetValue("--request", out var requestLine))
        {
            var parts = requestLine.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || !Uri.TryCreate(parts[1], UriKind.Absolute, out var parsed))
            {
                throw new ArgumentException("--request must look like \"GET https://graph.microsoft.com/v1.0/users\".");
            }

            method = new HttpMethod(parts[0].ToUpperInvariant());
            uri = parsed;
        }

        var headers = new List<KeyValuePair<string, string>>();
        if (values.TryGetValue("--headers", out var headersFile))
        {
            foreach (var line in await File.ReadAllLinesAsync(headersFile))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (string.IsNullOrWhiteSpace(line) || line.StartsWith("HTTP/", StringComparison.OrdinalIgnoreCase) || colon <= 0)
                {
                    continue;
                }

                headers.Add(new(line[..colon].Trim(), line[(colon + 1)..].Trim()));
            }
        }

        var body = string.Empty;
        if (values.TryGetValue("--body", out var bodyFile))
        {
            body = bodyFile == "-" ? await stdin.ReadToEndAsync() : await File.ReadAllTextAsync(bodyFile);
        }

        string? token = null;
        if (values.TryGetValue("--token-file", out var tokenFile))
        {
            token = (await File.ReadAllTextAsync(tokenFile)).Trim();
            if (token.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                token = token["Bearer ".Length..].Trim();
            }

            if (token.Length == 0)
            {
                throw new ArgumentException("The token file is empty.");
            }
        }

        return new Input(status, method, uri, headers, body, token)
        {
            Scopes = values.TryGetValue("--scopes", out var scopes) ? scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries) : ["https://graph.microsoft.com/.default"],
        };
    }

    private sealed record Input(int Status, HttpMethod Method, Uri Uri, List<KeyValuePair<string, string>> Headers, string Body, string? GivenToken)
    {
        /// <summary>A placeholder when no token was given: the chain must attach something; diagnosis cannot read it.</summary>
        public string Token => GivenToken ?? "no-token-given";

        public bool TokenGiven => GivenToken is not null;

        /// <summary>Gets the scopes the token request asks for (a token-endpoint answer).</summary>
        public IReadOnlyList<string> Scopes { get; init; } = [];

        /// <summary>Gets the OAuth <c>error</c> of a token-endpoint body, when the body is one.</summary>
        public string? OAuthError
        {
            get
            {
                try
                {
                    using var document = System.Text.Json.JsonDocument.Parse(Body);
                    return document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                        && document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == System.Text.Json.JsonValueKind.String
                        && document.RootElement.TryGetProperty("error_description", out _)
                        ? error.GetString()
                        : null;
                }
                catch (System.Text.Json.JsonException)
                {
                    return null;
                }
            }
        }

        /// <summary>Gets a value indicating whether this is an answer of the Microsoft Entra token endpoint.</summary>
        public bool IsTokenEndpointAnswer =>
            Uri.Host.StartsWith("login.", StringComparison.OrdinalIgnoreCase) || Uri.AbsolutePath.EndsWith("/token", StringComparison.OrdinalIgnoreCase)
            || OAuthError is not null;

        public string? Date => Headers.FirstOrDefault(h => string.Equals(h.Key, "Date", StringComparison.OrdinalIgnoreCase)).Value;

        public HttpResponseMessage CreateResponse(HttpRequestMessage? request)
        {
            var content = new ByteArrayContent(Encoding.UTF8.GetBytes(Body));
            var response = new HttpResponseMessage((HttpStatusCode)Status) { Content = content, RequestMessage = request };
            foreach (var (name, value) in Headers)
            {
                if (string.Equals(name, "Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    continue; // the body given is what counts
                }

                if (!response.Headers.TryAddWithoutValidation(name, value))
                {
                    content.Headers.TryAddWithoutValidation(name, value);
                }
            }

            if (content.Headers.ContentType is null && Body.TrimStart().StartsWith('{'))
            {
                content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
            }

            return response;
        }
    }

    /// <summary>Returns the same token every time (even on a forced refresh), as a replay of what was captured.</summary>
    private sealed class FixedTokenSource(string token) : IGraphTokenSource
    {
        public ValueTask<GraphAccessToken> GetTokenAsync(GraphTokenRequest request, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new GraphAccessToken(token, DateTimeOffset.UtcNow.AddHours(1)));
    }
}
