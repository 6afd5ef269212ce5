using System.Net;
using System.Text.Json.Nodes;
using GraphAuthResilience.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Graph;
using Microsoft.Graph.Models;

namespace GraphAuthResilience.Demo;

/// <summary>
/// Walks every scenario with real MSAL (client credentials over <see cref="FakeEntraTokenEndpoint"/>) and a real
/// <see cref="GraphServiceClient"/> over an <see cref="IHttpClientFactory"/> client with <c>AddGraphAuthHandlers</c>
/// and <see cref="FakeGraph"/> as primary handler, and prints what happened.
/// </summary>
internal static class ScenarioWalk
{
    private const string UsersJson = """{"value":[{"id":"87d349ed-44d7-43e1-9a83-5f2406dee5bd","displayName":"Adele Vance"}]}""";
    private const string MeJson = """{"id":"87d349ed-44d7-43e1-9a83-5f2406dee5bd","displayName":"Adele Vance"}""";

    private static int _surfacedAsIs;

    public static async Task<int> RunAsync(TextWriter output)
    {
        Volatile.Write(ref _surfacedAsIs, 0);
        output.WriteLine("Chain per scenario: GraphServiceClient -> Graph's default handlers -> GraphAuthResilience (failure -> batch -> challenge -> token) -> fake Graph;");
        output.WriteLine("tokens from MsalTokenSource.ForClientCredentials (real MSAL, client capability cp1) over a fake token endpoint;");
        output.WriteLine("the managed identity rows use MSAL's managed identity app over a fake IMDS, the Azure.Identity rows a real ClientSecretCredential.");
        output.WriteLine();
        var results = new List<Result>();
        foreach (var scenario in Scenarios())
        {
            results.Add(await RunOneAsync(scenario));
        }

        Table.Write(
            output,
            ["Scenario", "What Graph said", "What the chain did", "Outcome", "Cause", "Remediation", "Check"],
            [35, 34, 33, 7, 35, 40, 5],
            results.Select(r => new[] { r.Scenario.Name, r.Scenario.GraphSaid, r.ChainDid, r.Outcome, r.Cause, r.Remediation, r.Problem is null ? "ok" : "FAIL" }));

        if (results.FirstOrDefault(r => r.Exception?.Cause == GraphAuthFailureCause.InsufficientPermissions)?.Exception is { } example)
        {
            output.WriteLine();
            output.WriteLine("One GraphAuthException in full (what a catch block gets):");
            output.WriteLine($"  Message:             {example.Message}");
            output.WriteLine($"  Cause:               {example.Cause}");
            output.WriteLine($"  Remediation:         {example.Remediation}");
            output.WriteLine($"  RequiredPermissions: {(example.RequiredPermissions.Count == 0 ? "(not known for this call)" : string.Join(", ", example.RequiredPermissions))}");
            output.WriteLine($"  GraphErrorCode:      {example.GraphErrorCode}   RequestId: {example.RequestId}   ClientRequestId: {example.ClientRequestId}");
            output.WriteLine($"  Token:               {example.Token}");
            output.WriteLine($"  HelpLinks:           {string.Join(" ", example.HelpLinks)}");
        }

        var tenantProblems = await TenantsRow.RunAsync(output);
        output.WriteLine();
        var failed = results.Where(r => r.Problem is not null).ToList();
        var thrown = results.Count(r => r.Exception is not null);
        output.WriteLine($"GraphServiceClient surfaced the GraphAuthException as-is in {Volatile.Read(ref _surfacedAsIs)} of {thrown} failures (the rest wrapped; the demo unwraps inner exceptions).");
        output.WriteLine($"{results.Count - failed.Count} of {results.Count} scenarios ended as expected. Real MSAL and a real GraphServiceClient ran; the token endpoint and Graph were in-process fakes, so nothing left this process.");
        foreach (var result in failed)
        {
            output.WriteLine($"  FAIL {result.Scenario.Name}: {result.Problem}");
        }

        output.WriteLine("Next: `-- diagnose --help` explains a Graph answer you captured; `-- live` calls a real tenant (see README).");
        tenantProblems.ToList().ForEach(p => output.WriteLine($"  FAIL customer tenants: {p}"));
        return failed.Count == 0 && tenantProblems.Count == 0 ? 0 : 1;
    }

    private static IEnumerable<DemoScenario> Scenarios()
    {
        yield return new DemoScenario(
            "Success: GET /users",
            "200 with one user",
            Token: r => FakeEntraTokenEndpoint.TokenResponse(AppToken(r.Number)),
            Graph: (request, token, _) => token is null ? Unauthorized(request) : GraphResponses.Ok(UsersJson, request),
            Call: async c => await c.Users.GetAsync())
        {
            ExpectedTokenCalls = 1,
            ExpectedSends = 1,
        };

        yield return new DemoScenario(
            "Burst: 50 concurrent, cold",
            "200 to each of 50 requests",
            Token: r => FakeEntraTokenEndpoint.TokenResponse(AppToken(r.Number)),
            Graph: (request, token, _) => token is null ? Unauthorized(request) : GraphResponses.Ok(UsersJson, request),
            Call: c => Task.WhenAll(Enumerable.Range(0, 50).Select(_ => c.Users.GetAsync())))
        {
            TokenLatency = TimeSpan.FromMilliseconds(200),
            ExpectedTokenCalls = 1,
            ExpectedSends = 50,
        };

        yield return new DemoScenario(
            "Expired token refreshed",
            "401 Lifetime validation failed, the token is expired. (1st token)",
            Token: r => FakeEntraTokenEndpoint.TokenResponse(r.Number == 1 ? AppToken(r.Number, expired: true) : AppToken(r.Number)),
            Graph: (request, token, _) => IsExpired(token)
                ? GraphResponses.Error(HttpStatusCode.Unauthorized, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.", GraphResponses.PlainChallenge, request: request)
                : GraphResponses.Ok(UsersJson, request),
            Call: async c => await c.Users.GetAsync())
        {
            ExpectedTokenCalls = 2,
            ExpectedSends = 2,
        };

        yield return new DemoScenario(
            "401 storm: 20 concurrent",
            "401 Access token has expired or is not yet valid. (to each of 20, 1st token)",
            Token: r => FakeEntraTokenEndpoint.TokenResponse(AppToken(r.Number)),
            Graph: (request, token, n) => n > 1 && token is not null && TokenNumber(token) == 1
                ? GraphResponses.Error(HttpStatusCode.Unauthorized, "InvalidAuthenticationToken", "Access token has expired or is not yet valid.", GraphResponses.PlainChallenge, request: request)
                : GraphResponses.Ok(UsersJson, request),
            Call: async c =>
            {
                await c.Users.GetAsync(); // warm: the first token is cached, then Graph starts rejecting it
                await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => c.Users.GetAsync()));
            })
        {
            // Hold the 20 first sends until all have arrived, so all 20 carry the first token: a real storm.
            GraphBeforeAnswer = StormBarrier(firstSend: 2, count: 20),
            ExpectedTokenCalls = 2,
            ExpectedSends = 41,
        };

        foreach (var quoted in new[] { true, false })
        {
            yield return new DemoScenario(
                quoted ? "CAE challenge met (quoted)" : "CAE challenge met (unquoted)",
                quoted ? "401 insufficient_claims, authorization_uri=\"...\"" : "401 insufficient_claims, authorization_uri=https://... (unquoted)",
                Token: r => FakeEntraTokenEndpoint.TokenResponse(r.HasChallengeClaims ? AppToken(r.Number, claimsMet: true) : AppToken(r.Number)),
                Graph: (request, token, _) => token is not null && Payload(token).Contains(ClaimsMetMarker, StringComparison.Ordinal)
                    ? GraphResponses.Ok(MeJson, request)
                    : GraphResponses.ClaimsChallenge(quoted, request),
                Call: async c => await c.Users.GetAsync())
            {
                ExpectedTokenCalls = 2,
                ExpectedSends = 2,
                ExpectedClaimsTokenCalls = 1,
            };
        }

        yield return new DemoScenario(
            "Batch: 20 steps, CAE challenged",
            "200 $batch; each step 401 insufficient_claims (1st token)",
            Token: r => FakeEntraTokenEndpoint.TokenResponse(r.HasChallengeClaims ? AppToken(r.Number, claimsMet: true) : AppToken(r.Number)),
            Graph: (request, token, _) => BatchAnswer(request, claimsMet: token is not null && Payload(token).Contains(ClaimsMetMarker, StringComparison.Ordinal)),
            Call: async c =>
            {
                var batch = new BatchRequestContentCollection(c);
                for (var i = 0; i < 20; i++)
                {
                    await batch.AddBatchRequestStepAsync(c.Users[$"user-{i}"].ToGetRequestInformation());
                }

                var result = await c.Batch.PostAsync(batch);
                var statuses = await result.GetResponsesStatusCodesAsync();
                if (statuses.Count != 20 || statuses.Values.Any(status => status != HttpStatusCode.OK))
                {
                    throw new InvalidOperationException($"expected 20 steps answering 200, got {string.Join(", ", statuses.Values)}");
                }
            })
        {
            ExpectedTokenCalls = 2,
            ExpectedSends = 2,
            ExpectedClaimsTokenCalls = 1,
        };

        // The other token sources: the same chain over MSAL managed identity and over an Azure.Identity credential.
        var managedIdentity = new FakeManagedIdentityEndpoint();
        yield return new DemoScenario(
            "Managed identity: CAE challenge met",
            "401 insufficient_claims (1st send)",
            Token: r => FakeEntraTokenEndpoint.TokenResponse(AppToken(r.Number)),
            Graph: (request, _, n) => n == 1 ? GraphResponses.ClaimsChallenge(true, request) : GraphResponses.Ok(MeJson, request),
            Call: async c => await c.Users.GetAsync())
        {
            Source = _ => MsalTokenSource.ForManagedIdentity(managedIdentity.CreateApp(null, "cp1")),
            TokenCalls = _ => managedIdentity.Requests,
            ClaimsMetWithoutTokenEndpoint = true,
            ExpectedTokenCalls = 2,
            ExpectedSends = 2,
        };

        yield return new DemoScenario(
            "Azure.Identity: 50 concurrent, cold",
            "200 to each of 50 requests",
            Token: r => FakeEntraTokenEndpoint.TokenResponse(AppToken(r.Number)),
            Graph: (request, token, _) => token is null ? Unauthorized(request) : GraphResponses.Ok(UsersJson, request),
            Call: c => Task.WhenAll(Enumerable.Range(0, 50).Select(_ => c.Users.GetAsync())))
        {
            Source = ClientSecretCredentialOver,
            TokenLatency = TimeSpan.FromMilliseconds(200),
            ExpectedTokenCalls = 1,
            ExpectedSends = 50,
        };

        yield return new DemoScenario(
            "Azure.Identity: CAE challenge met",
            "401 insufficient_claims, authorization_uri=\"...\"",
            Token: r => FakeEntraTokenEndpoint.TokenResponse(r.HasChallengeClaims ? AppToken(r.Number, claimsMet: true) : AppToken(r.Number)),
            Graph: (request, token, _) => token is not null && Payload(token).Contains(ClaimsMetMarker, StringComparison.Ordinal)
                ? GraphResponses.Ok(MeJson, request)
                : GraphResponses.ClaimsChallenge(true, request),
            Call: async c => await c.Users.GetAsync())
        {
            Source = ClientSecretCredentialOver,
            ExpectedTokenCalls = 2,
            ExpectedSends = 2,
            ExpectedClaimsTokenCalls = 1,
        };

        foreach (var failure in GraphAuthFailureScenario.All)
        {
            yield return new DemoScenario(
                failure.Cause.ToString(),
                failure.Summary,
                Token: r => failure.FailsAtTokenSource
                    ? failure.CreateTokenEndpointResponse()
                    : FakeEntraTokenEndpoint.TokenResponse(failure.CreateToken().WithClaim("uti", $"demo-{r.Number}").Build()),
                Graph: (request, _, _) => failure.CreateResponse(request),
                Call: c => CallFor(c, failure.Cause))
            {
                ExpectedCause = failure.Cause,
            };
        }
    }

    private static Task CallFor(GraphServiceClient client, GraphAuthFailureCause cause) => cause switch
    {
        // Code that sets "Authorization: Bearer" with a null token: the chain keeps a caller's header, so none is sent.
        GraphAuthFailureCause.MissingToken => client.Users.GetAsync(r => r.Headers.Add("Authorization", "Bearer")),
        GraphAuthFailureCause.PersonalAccountNotSupported => client.Me.OnlineMeetings.PostAsync(new OnlineMeeting { Subject = "Sync" }),
        GraphAuthFailureCause.TokenTypeMismatch => client.Me.GetAsync(),
        GraphAuthFailureCause.PasswordResetRequiresDelegatedAdmin => client.Users["adele@contoso.example"].PatchAsync(new User
        {
            PasswordProfile = new PasswordProfile { ForceChangePasswordNextSignIn = true, Password = "placeholder-not-a-secret" },
        }),
        GraphAuthFailureCause.UserNotPrivilegedOrLicensed => client.Teams["0f3e9c4a-1b2d-4e5f-8a9b-0c1d2e3f4a5b"]
            .Channels["19:general@thread.tacv2"].Messages.PostAsync(new ChatMessage { Body = new ItemBody { Content = "Hello" } }),
        GraphAuthFailureCause.UnsatisfiedClaimsChallenge or GraphAuthFailureCause.ConsentRequired
            or GraphAuthFailureCause.InteractionRequired => client.Me.Messages.GetAsync(),
        _ => client.Users.GetAsync(),
    };

    private static async Task<Result> RunOneAsync(DemoScenario scenario)
    {
        var tokenEndpoint = new FakeEntraTokenEndpoint { DefaultAnswer = scenario.Token, Latency = scenario.TokenLatency };
        var graph = new FakeGraph { Respond = (request, n) => scenario.Graph(request, BearerOf(request), n) };
        if (scenario.GraphBeforeAnswer is { } wait)
        {
            graph.BeforeAnswer = (n, _) => wait(n);
        }
        var services = new ServiceCollection();
        services.AddHttpClient("graph")
            .AddGraphAuthHandlers(o => o.TokenSource = scenario.Source?.Invoke(tokenEndpoint)
                ?? MsalTokenSource.ForClientCredentials(tokenEndpoint.CreateConfidentialClient(null, "cp1")))
            .ConfigureAdditionalHttpMessageHandlers((handlers, _) =>
            {
                // Graph's default Kiota middleware (retry, redirect, telemetry...) outside the auth chain, as the README shows.
                var graphDefaults = GraphClientFactory.CreateDefaultHandlers();
                for (var i = 0; i < graphDefaults.Count; i++)
                {
                    handlers.Insert(i, graphDefaults[i]);
                }
            })
            .ConfigurePrimaryHttpMessageHandler(() => graph);
        await using var provider = services.BuildServiceProvider();
        var client = new GraphServiceClient(provider.GetRequiredService<IHttpClientFactory>().CreateClient("graph"));

        GraphAuthException? failure = null;
        Exception? other = null;
        try
        {
            await scenario.Call(client);
        }
        catch (Exception ex)
        {
            if (ex is GraphAuthException)
            {
                Interlocked.Increment(ref _surfacedAsIs);
            }

            failure = GraphAuthFailures.Unwrap(ex);
            other = failure is null ? ex : null;
        }

        var tokenCalls = scenario.TokenCalls?.Invoke(tokenEndpoint) ?? tokenEndpoint.Posts;
        var problem = Check(scenario, tokenEndpoint, tokenCalls, graph, failure, other);
        return new Result(
            scenario,
            failure,
            ChainDid(tokenEndpoint, tokenCalls, graph, scenario.ClaimsMetWithoutTokenEndpoint),
            failure is not null ? "thrown" : other is not null ? other.GetType().Name : "200 OK",
            failure?.Cause.ToString() ?? "-",
            failure?.Remediation ?? "-",
            problem);
    }

    /// <summary>The bearer token a request carries, or null: what the scenario's Graph decides on.</summary>
    private static string? BearerOf(HttpRequestMessage request) =>
        request.Headers.Authorization is { Scheme: "Bearer", Parameter: { Length: > 0 } value } ? value : null;

    private static string? Check(DemoScenario s, FakeEntraTokenEndpoint tokens, int tokenCalls, FakeGraph graph, GraphAuthException? failure, Exception? other)
    {
        if (other is not null)
        {
            return $"expected {(s.ExpectedCause?.ToString() ?? "success")}, got {other.GetType().Name}: {other.Message}";
        }

        if (s.ExpectedCause is { } expected)
        {
            return failure?.Cause == expected ? null : $"expected {expected}, got {(failure is null ? "success" : failure.Cause.ToString())}";
        }

        if (failure is not null)
        {
            return $"expected success, got {failure.Cause}: {failure.Message}";
        }

        if (s.ExpectedTokenCalls is { } calls && tokenCalls != calls)
        {
            return $"expected {calls} token call(s), saw {tokenCalls}";
        }

        if (s.ExpectedSends is { } sends && graph.Sends != sends)
        {
            return $"expected {sends} send(s) to Graph, saw {graph.Sends}";
        }

        if (s.ExpectedClaimsTokenCalls is { } claimsCalls && tokens.PostsWithClaims != claimsCalls)
        {
            return $"expected {claimsCalls} token call(s) with claims, saw {tokens.PostsWithClaims}";
        }

        return null;
    }

    private static string ChainDid(FakeEntraTokenEndpoint tokens, int tokenCalls, FakeGraph graph, bool claimsMetElsewhere = false)
    {
        var calls = tokenCalls == 1 ? "1 token call" : $"{tokenCalls} token calls";
        return graph.Sends switch
        {
            0 => $"{calls}, refused; no send",
            1 when tokenCalls == 0 => "caller's header kept; 1 send",
            1 => $"{calls}, 1 send",
            2 when tokens.PostsWithClaims > 0 || claimsMetElsewhere => $"{calls} (claims), replayed",
            2 => $"{calls} (refresh), replayed",
            var n => $"{calls} for {n} sends",
        };
    }

    private const string ClaimsMetMarker = "cae-met";

    private static string AppToken(int number, bool expired = false, bool claimsMet = false)
    {
        var jwt = UnsignedJwt.AppOnly().WithRoles("User.Read.All").WithClaim("uti", $"demo-{number}");
        if (expired)
        {
            jwt.ExpiresAt(DateTimeOffset.UtcNow.AddMinutes(-10));
        }

        if (claimsMet)
        {
            jwt.WithClaim("xms_demo", ClaimsMetMarker);
        }

        return jwt.Build();
    }

    private static bool IsExpired(string? token) =>
        token is not null && GraphTokenInfo.TryParse(token, out var info) && info?.ExpiresOn is { } exp && exp <= DateTimeOffset.UtcNow;

    private static string Payload(string token)
    {
        var payload = token.Split('.')[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
        return System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(payload));
    }

    private static int TokenNumber(string token)
    {
        // The demo's tokens carry uti "demo-<n>", n being the token endpoint's POST number.
        var json = Payload(token);
        var at = json.IndexOf("\"uti\":\"demo-", StringComparison.Ordinal);
        if (at < 0)
        {
            return 0;
        }

        var start = at + "\"uti\":\"demo-".Length;
        var end = json.IndexOf('"', start);
        return int.Parse(json.AsSpan(start, end - start), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static Func<int, Task> StormBarrier(int firstSend, int count)
    {
        var arrived = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return async number =>
        {
            if (number < firstSend || number >= firstSend + count)
            {
                return;
            }

            if (Interlocked.Increment(ref arrived) == count)
            {
                all.TrySetResult();
            }

            // Bounded: if fewer arrive (a chain that serialised them), the scenario goes on and its counts tell.
            await Task.WhenAny(all.Task, Task.Delay(TimeSpan.FromSeconds(5)));
        };
    }

    /// <summary>A <c>$batch</c> answer: every step of the request answers 200 when the token met the claims, else 401
    /// with the CAE claims challenge in the step's headers (Graph answers the batch itself with 200).</summary>
    private static HttpResponseMessage BatchAnswer(HttpRequestMessage request, bool claimsMet)
    {
        var steps = JsonNode.Parse(request.Content!.ReadAsStringAsync().GetAwaiter().GetResult())!["requests"]!.AsArray();
        var answers = new JsonArray();
        foreach (var step in steps)
        {
            var id = step!["id"]!.GetValue<string>();
            answers.Add(claimsMet
                ? new JsonObject { ["id"] = id, ["status"] = 200, ["body"] = JsonNode.Parse(MeJson) }
                : new JsonObject
                {
                    ["id"] = id,
                    ["status"] = 401,
                    ["headers"] = new JsonObject { ["WWW-Authenticate"] = GraphResponses.QuotedClaimsChallenge },
                    ["body"] = new JsonObject { ["error"] = new JsonObject { ["code"] = GraphResponses.ClaimsChallengeErrorCode, ["message"] = GraphResponses.ClaimsChallengeMessage } },
                });
        }

        return GraphResponses.Ok(new JsonObject { ["responses"] = answers }.ToJsonString(), request);
    }

    private static HttpResponseMessage Unauthorized(HttpRequestMessage request) =>
        GraphResponses.Error(HttpStatusCode.Unauthorized, "InvalidAuthenticationToken", "Access token is empty.", GraphResponses.PlainChallenge, request: request);

    private sealed record Result(DemoScenario Scenario, GraphAuthException? Exception, string ChainDid, string Outcome, string Cause, string Remediation, string? Problem);

    private sealed record DemoScenario(
        string Name,
        string GraphSaid,
        Func<FakeEntraTokenRequest, HttpResponseMessage> Token,
        Func<HttpRequestMessage, string?, int, HttpResponseMessage> Graph,
        Func<GraphServiceClient, Task> Call)
    {
        public GraphAuthFailureCause? ExpectedCause { get; init; }

        public int? ExpectedTokenCalls { get; init; }

        public int? ExpectedSends { get; init; }

        public int? ExpectedClaimsTokenCalls { get; init; }

        public TimeSpan TokenLatency { get; init; }

        public Func<int, Task>? GraphBeforeAnswer { get; init; }

        /// <summary>Gets the token source over the scenario's token endpoint; default: MSAL client credentials (cp1).</summary>
        public Func<FakeEntraTokenEndpoint, IGraphTokenSource>? Source { get; init; }

        /// <summary>Gets how the scenario counts token calls when they do not go to the token endpoint (managed identity).</summary>
        public Func<FakeEntraTokenEndpoint, int>? TokenCalls { get; init; }

        /// <summary>Gets a value indicating whether the challenge's claims went to MSAL but not to the token endpoint
        /// (managed identity: MSAL skips its cache; IMDS takes no claims).</summary>
        public bool ClaimsMetWithoutTokenEndpoint { get; init; }
    }

    /// <summary>A real Azure.Identity <see cref="Azure.Identity.ClientSecretCredential"/> whose transport is the fake token endpoint.</summary>
    private static IGraphTokenSource ClientSecretCredentialOver(FakeEntraTokenEndpoint tokens) =>
        Azure.AzureIdentityTokenSource.FromCredential(new global::Azure.Identity.ClientSecretCredential(
            FakeEntraTokenEndpoint.Tenant,
            Guid.NewGuid().ToString(),
            FakeEntraTokenEndpoint.Secret,
            new global::Azure.Identity.ClientSecretCredentialOptions
            {
                Transport = new global::Azure.Core.Pipeline.HttpClientTransport(tokens.GetHttpClient()),
                DisableInstanceDiscovery = true,
            }));
}
