// Runs the chain offline under native AOT: a cached token, a 401 refreshed, a CAE claims challenge met, a 403
// diagnosed (with the permission catalog, an embedded resource). Real DI and IHttpClientFactory; the Testing
// package's fakes stand in for the token source and Graph. Exit code 0 only when every step ends as expected.
using System.Diagnostics;
using System.Net;
using GraphAuthResilience;
using GraphAuthResilience.Testing;
using Microsoft.Extensions.DependencyInjection;
using RichardSzalay.MockHttp;

var started = Stopwatch.GetTimestamp();
var failures = new List<string>();

void Check(string step, bool ok, string detail)
{
    Console.WriteLine($"{(ok ? "ok  " : "FAIL")} {step}: {detail}");
    if (!ok)
    {
        failures.Add(step);
    }
}

var graph = new MockHttpMessageHandler();
graph.When("https://graph.microsoft.com/v1.0/me").RespondWithClaimsChallengeOnce("""{"id":"42"}""", quotedAuthorizationUri: false);
var usersSends = 0;
graph.When("https://graph.microsoft.com/v1.0/users").Respond(request => Interlocked.Increment(ref usersSends) == 1
    ? GraphResponses.Error(HttpStatusCode.Unauthorized, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.",
        "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"",
        request: request)
    : GraphResponses.Ok("""{"value":[]}""", request));
graph.When("https://graph.microsoft.com/v1.0/organization").Respond(_ => GraphResponses.Ok("""{"value":[]}"""));
graph.When("https://graph.microsoft.com/v1.0/groups").RespondWithGraphAuthFailure(GraphAuthFailureCause.InsufficientPermissions);

var tokens = new FakeGraphTokenSource();
var denied = FakeGraphTokenSource.For(GraphAuthFailureCause.InsufficientPermissions);

var services = new ServiceCollection();
services.AddHttpClient("graph")
    .AddGraphAuthHandlers(o => o.TokenSource = tokens)
    .ConfigurePrimaryHttpMessageHandler(() => graph);
services.AddHttpClient("denied")
    .AddGraphAuthHandlers(o => o.TokenSource = denied)
    .ConfigurePrimaryHttpMessageHandler(() => graph);
await using var provider = services.BuildServiceProvider();
var factory = provider.GetRequiredService<IHttpClientFactory>();
var client = factory.CreateClient("graph");

// 1. A cached token: three calls, one token.
for (var i = 0; i < 3; i++)
{
    using var response = await client.GetAsync(new Uri("https://graph.microsoft.com/v1.0/organization"));
    response.EnsureSuccessStatusCode();
}

Check("cached token", tokens.CallCount == 1, $"3 calls, {tokens.CallCount} token call(s)");

// 2. A 401 (expired) refreshed: one forced refresh, one replay, 200.
using (var response = await client.GetAsync(new Uri("https://graph.microsoft.com/v1.0/users")))
{
    var forced = tokens.Requests.Count(r => r.ForceRefresh);
    Check("401 refreshed", response.StatusCode == HttpStatusCode.OK && usersSends == 2 && forced == 1,
        $"{(int)response.StatusCode} after {usersSends} sends, {forced} forced refresh");
}

// 3. A CAE claims challenge met: re-acquired with the decoded claims, replayed once.
using (var response = await client.GetAsync(new Uri("https://graph.microsoft.com/v1.0/me")))
{
    var claims = tokens.Requests[^1].Claims;
    Check("claims challenge met", response.StatusCode == HttpStatusCode.OK && claims == GraphResponses.UnquotedClaimsJson,
        $"{(int)response.StatusCode}, re-acquired with claims {(claims is null ? "none" : "as sent")}");
}

// 4. A 403 diagnosed: the typed exception, the cause and the least-privileged permissions from the catalog.
try
{
    using var response = await factory.CreateClient("denied").GetAsync(new Uri("https://graph.microsoft.com/v1.0/groups"));
    Check("403 diagnosed", false, $"no exception, {(int)response.StatusCode}");
}
catch (GraphAuthPermissionException ex)
{
    Check("403 diagnosed",
        ex.Cause == GraphAuthFailureCause.InsufficientPermissions && ex.RequiredPermissions.Count > 0 && ex.RequestId is not null,
        $"{ex.GetType().Name}, {ex.Cause}, needs {string.Join(" or ", ex.RequiredPermissions.Take(3))}");
}

var elapsed = Stopwatch.GetElapsedTime(started);
Console.WriteLine($"{(failures.Count == 0 ? "AOT smoke passed" : $"AOT smoke FAILED: {string.Join(", ", failures)}")} ({elapsed.TotalMilliseconds:F0} ms in Main)");
return failures.Count == 0 ? 0 : 1;
