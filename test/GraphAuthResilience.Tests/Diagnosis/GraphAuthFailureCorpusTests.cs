using System.Net;
using System.Text;
using System.Text.Json;
using GraphAuthResilience.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace GraphAuthResilience.Tests.Diagnosis;

/// <summary>
/// The corpus of real Graph auth failures (Corpus/graph-auth-failures.json, each with the thread it came from),
/// replayed through the public chain (AddGraphAuthHandlers, a token source whose token says what the thread says
/// was sent, a stub Graph answering what the thread quoted). Uses public API only, so the same file measures any
/// version of the library.
/// </summary>
public class GraphAuthFailureCorpusTests
{
    private static readonly Lazy<IReadOnlyList<CorpusCase>> Cases = new(Load);

    public static IEnumerable<TestCaseData> AllCases() =>
        Cases.Value.Select(c => new TestCaseData(c).SetName("Classify_RealFailure_" + c.Id.Replace('-', '_')));

    [TestCaseSource(nameof(AllCases))]
    public async Task Classify(CorpusCase corpusCase)
    {
        ArgumentNullException.ThrowIfNull(corpusCase);
        var (failure, token) = await RunAsync(corpusCase);

        Assert.That(failure, Is.Not.Null, "not classified");
        Assert.Multiple(() =>
        {
            Assert.That(failure!.Cause.ToString(), Is.EqualTo(corpusCase.Cause), corpusCase.Source);
            if (corpusCase.Permissions.Count > 0)
            {
                Assert.That(failure.RequiredPermissions.Intersect(corpusCase.Permissions, StringComparer.OrdinalIgnoreCase), Is.Not.Empty,
                    $"RequiredPermissions [{string.Join(", ", failure.RequiredPermissions)}] name none of [{string.Join(", ", corpusCase.Permissions)}]");
            }

            if (corpusCase.RemediationKeyword is { } keyword)
            {
                Assert.That(failure.Remediation, Does.Contain(keyword).IgnoreCase);
            }

            foreach (var text in new[] { failure.Message, failure.Remediation, failure.ToString() })
            {
                Assert.That(text, Does.Not.Contain(token), "no token text in any output");
                if (token.Split('.') is [_, { Length: > 8 } payload, _])
                {
                    Assert.That(text, Does.Not.Contain(payload));
                }
            }
        });
    }

    [Test]
    public async Task Classify_WholeCorpus_ScoreReported()
    {
        int causes = 0, permissionsKnown = 0, permissionsAsked = 0;
        var wrong = new List<string>();
        foreach (var corpusCase in Cases.Value)
        {
            var (failure, _) = await RunAsync(corpusCase);
            var cause = failure?.Cause.ToString() ?? "(not classified)";
            if (cause == corpusCase.Cause)
            {
                causes++;
            }
            else
            {
                wrong.Add($"{corpusCase.Id}: {cause}, expected {corpusCase.Cause}");
            }

            if (corpusCase.Permissions.Count > 0)
            {
                permissionsAsked++;
                if (failure is not null && failure.RequiredPermissions.Intersect(corpusCase.Permissions, StringComparer.OrdinalIgnoreCase).Any())
                {
                    permissionsKnown++;
                }
            }
        }

        TestContext.Out.WriteLine($"CORPUS SCORE: cause right in {causes} of {Cases.Value.Count}; required permission named in {permissionsKnown} of {permissionsAsked}.");
        wrong.ForEach(TestContext.Out.WriteLine);
        Assert.That(Cases.Value, Has.Count.GreaterThanOrEqualTo(40));
        Assert.That(causes, Is.EqualTo(Cases.Value.Count), string.Join(Environment.NewLine, wrong));
    }

    /// <summary>Sends the case's request through a DI-built chain over a stub Graph that answers what the thread
    /// quoted (a token-endpoint case: real MSAL over the fake token endpoint answering it), and returns the diagnosis.</summary>
    internal static async Task<(GraphAuthException? Failure, string Token)> RunAsync(CorpusCase corpusCase)
    {
        if (corpusCase.TokenEndpoint)
        {
            return (await TokenEndpointAsync(corpusCase), string.Empty);
        }

        var token = corpusCase.BuildToken();
        var source = new FakeGraphTokenSource { TokenFactory = (_, _) => token };
        var services = new ServiceCollection();
        services.AddHttpClient("corpus")
            .AddGraphAuthHandlers(o =>
            {
                o.TokenSource = source;
                o.ThrowOnAuthFailure = false;
            })
            .ConfigurePrimaryHttpMessageHandler(() => new FakeGraph { Respond = (request, _) => Answer(corpusCase, request) });
        using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("corpus");
        var space = corpusCase.Request.IndexOf(' ', StringComparison.Ordinal);
        using var request = new HttpRequestMessage(new HttpMethod(corpusCase.Request[..space]), corpusCase.Request[(space + 1)..]);
        if (corpusCase.RequestBody is { } requestBody)
        {
            request.Content = new StringContent(requestBody, Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request);
        return (response.GetGraphAuthFailure(), token);
    }

    /// <summary>Replays a token endpoint's answer to real MSAL, as the library's MSAL sources meet it: on-behalf-of
    /// for answers about a user (invalid_grant, interaction_required, consent_required), else client credentials.</summary>
    private static async Task<GraphAuthException?> TokenEndpointAsync(CorpusCase corpusCase)
    {
        using var endpoint = new FakeEntraTokenEndpoint
        {
            DefaultAnswer = _ => new HttpResponseMessage((HttpStatusCode)corpusCase.Status)
            {
                Content = new StringContent(corpusCase.Body, Encoding.UTF8, "application/json"),
            },
        };
        using var document = JsonDocument.Parse(corpusCase.Body);
        var error = document.RootElement.TryGetProperty("error", out var e) ? e.GetString() : null;
        var app = endpoint.CreateConfidentialClient();
        var source = error is "invalid_grant" or "interaction_required" or "consent_required"
            ? MsalTokenSource.OnBehalfOf(app, _ => ValueTask.FromResult(UnsignedJwt.Delegated("access_as_user").Build()))
            : MsalTokenSource.ForClientCredentials(app);
        try
        {
            await source.GetTokenAsync(new GraphTokenRequest(["https://graph.microsoft.com/.default"]), CancellationToken.None);
            return null;
        }
        catch (GraphAuthException failure)
        {
            return failure;
        }
    }

    private static List<CorpusCase> Load() => LoadFile(Path.Combine(TestContext.CurrentContext.TestDirectory, "Diagnosis", "Corpus", "graph-auth-failures.json"));

    /// <summary>Reads the cases of one corpus file.</summary>
    internal static List<CorpusCase> LoadFile(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return [.. document.RootElement.GetProperty("cases").EnumerateArray().Select(CorpusCase.Read)];
    }

    /// <summary>One real failure: what was sent and answered, and what the thread resolved.</summary>
    public sealed class CorpusCase
    {
        public required string Id { get; init; }

        public required string Source { get; init; }

        public required string Request { get; init; }

        public string? RequestBody { get; init; }

        public required int Status { get; init; }

        public required IReadOnlyDictionary<string, string> Headers { get; init; }

        public required string Body { get; init; }

        public required JsonElement Token { get; init; }

        public required string Cause { get; init; }

        public required IReadOnlyList<string> Permissions { get; init; }

        public string? RemediationKeyword { get; init; }

        /// <summary>Gets a value indicating whether the failure is the token endpoint's answer (an AADSTS error).</summary>
        public bool TokenEndpoint { get; init; }

        /// <summary>Gets Graph's <c>error.code</c> and <c>error.message</c>: what the Graph SDK's ODataError alone shows.</summary>
        public string ODataErrorText
        {
            get
            {
                try
                {
                    using var document = JsonDocument.Parse(Body);
                    var root = document.RootElement;
                    if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error))
                    {
                        return error.ValueKind == JsonValueKind.Object
                            ? $"{(error.TryGetProperty("code", out var c) ? c.ToString() : string.Empty)} {(error.TryGetProperty("message", out var m) ? m.ToString() : string.Empty)}"
                            : $"{error} {(root.TryGetProperty("error_description", out var d) ? d.ToString() : string.Empty)}";
                    }
                }
                catch (JsonException)
                {
                    // Not JSON: the SDK shows no code or message.
                }

                return string.Empty;
            }
        }

        public static CorpusCase Read(JsonElement e)
        {
            var expect = e.GetProperty("expect");
            return new CorpusCase
            {
                Id = e.GetProperty("id").GetString()!,
                Source = e.GetProperty("source").GetString()!,
                Request = e.GetProperty("request").GetString()!,
                RequestBody = e.TryGetProperty("requestBody", out var rb) ? rb.GetString() : null,
                Status = e.GetProperty("status").GetInt32(),
                Headers = e.GetProperty("headers").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
                Body = e.GetProperty("body").GetString()!,
                Token = e.GetProperty("token").Clone(),
                Cause = expect.GetProperty("cause").GetString()!,
                Permissions = expect.TryGetProperty("permissions", out var p) ? [.. p.EnumerateArray().Select(x => x.GetString()!)] : [],
                RemediationKeyword = expect.TryGetProperty("remediation", out var r) ? r.GetString() : null,
                TokenEndpoint = e.TryGetProperty("tokenEndpoint", out var te) && te.ValueKind == JsonValueKind.True,
            };
        }

        public string BuildToken()
        {
            var kind = Token.GetProperty("kind").GetString();
            if (kind is "opaque" or "none")
            {
                // "none": the thread does not show the token; what was sent cannot be read, as with an opaque one.
                return "EwBwA8l6BAAURSN/FHlDW5xN74t6GIl1b2ROvIMvjdQQAgAA" + Id.Length;
            }

            var scopes = Token.TryGetProperty("scp", out var scp) ? scp.GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries) : [];
            var jwt = kind == "app" ? UnsignedJwt.AppOnly() : UnsignedJwt.Delegated(scopes);
            if (kind == "personal")
            {
                jwt = jwt.AsPersonalAccount();
            }

            if (Token.TryGetProperty("roles", out var roles) && roles.GetArrayLength() > 0)
            {
                jwt = jwt.WithRoles([.. roles.EnumerateArray().Select(x => x.GetString()!)]);
            }

            if (Token.TryGetProperty("aud", out var aud))
            {
                jwt = jwt.WithAudience(aud.GetString()!);
            }

            if (Token.TryGetProperty("expired", out var expired) && expired.GetBoolean())
            {
                jwt = jwt.ExpiresAt(DateTimeOffset.UtcNow.AddHours(-2));
            }

            return jwt.Build();
        }

        public override string ToString() => Id;
    }

    /// <summary>What Graph answered in the recorded case: its status, body and headers, as they were.</summary>
    private static HttpResponseMessage Answer(CorpusCase corpusCase, HttpRequestMessage request)
    {
        var response = GraphResponses.Json((HttpStatusCode)corpusCase.Status, corpusCase.Body, request: request);
        foreach (var (name, value) in corpusCase.Headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }
}
