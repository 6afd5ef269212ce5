using System.Net;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Infrastructure;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;
using static GraphAuthResilience.Tests.Diagnosis.GraphErrorSamples;

namespace GraphAuthResilience.Tests.Diagnosis;

/// <summary>
/// A real GraphServiceClient (Microsoft.Graph 6) over an HttpClient from IHttpClientFactory carrying the chain:
/// the caller catches the typed GraphAuthException (directly or as the inner exception), never a bare ODataError.
/// </summary>
public class GraphServiceClientTests
{
    [Test]
    public void UsersGet_DelegatedUserRead403_CallerCatchesGraphAuthPermissionException()
    {
        using var harness = Harness(() => UnsignedJwt.Delegated("User.Read"));
        harness.Graph.Respond = (_, _) => Response(HttpStatusCode.Forbidden, Body("Authorization_RequestDenied", "Insufficient privileges to complete the operation."));
        var graph = new GraphServiceClient(harness.CreateClient());

        var caught = Assert.CatchAsync<Exception>(() => graph.Users.GetAsync(r => r.QueryParameters.Top = 5));

        Assert.That(caught, Is.Not.InstanceOf<ODataError>());
        Assert.That(caught, Is.InstanceOf<GraphAuthException>(), "Kiota lets the handler's exception through unwrapped");
        var ex = Typed(caught!);
        Assert.That(ex, Is.InstanceOf<GraphAuthPermissionException>());
        Assert.That(ex.Cause, Is.EqualTo(GraphAuthFailureCause.InsufficientPermissions));
        Assert.That(ex.RequestId, Is.EqualTo(RequestId));
        Assert.That(ex.RequiredPermissions, Is.EqualTo(new[] { "User.ReadBasic.All" }));
        Assert.That(harness.Graph.Requests.Single().Uri.AbsolutePath, Is.EqualTo("/v1.0/users"));
    }

    [Test]
    public void MeGet_AppOnlyToken_CallerCatchesTokenTypeMismatch()
    {
        using var harness = Harness(() => UnsignedJwt.AppOnly().WithRoles("User.Read.All"));
        harness.Graph.Respond = (_, _) => Response(HttpStatusCode.BadRequest, Body("BadRequest", "/me request is only valid with delegated authentication flow."));
        var graph = new GraphServiceClient(harness.CreateClient());

        var caught = Assert.CatchAsync<Exception>(() => graph.Me.GetAsync());

        var ex = Typed(caught!);
        Assert.That(ex.Cause, Is.EqualTo(GraphAuthFailureCause.TokenTypeMismatch));
        Assert.That(ex.RequiredPermissions, Is.EqualTo(new[] { "User.Read" }));
    }

    [Test]
    public void UserPatch_AppOnlyPasswordProfileThroughKiota_PasswordResetRequiresDelegatedAdmin()
    {
        using var harness = Harness(() => UnsignedJwt.AppOnly().WithRoles("User.ReadWrite.All"));
        harness.Graph.Respond = (_, _) => Response(HttpStatusCode.Forbidden, Body("Authorization_RequestDenied", "Insufficient privileges to complete the operation."));
        var graph = new GraphServiceClient(harness.CreateClient());
        var update = new User { PasswordProfile = new PasswordProfile { ForceChangePasswordNextSignIn = true, Password = "N0t-a-real-one!" } };

        var caught = Assert.CatchAsync<Exception>(() => graph.Users["alice@contoso.com"].PatchAsync(update));

        var ex = Typed(caught!);
        Assert.That(ex.Cause, Is.EqualTo(GraphAuthFailureCause.PasswordResetRequiresDelegatedAdmin));
        Assert.That(ex.Remediation, Does.Contain("signed-in administrator"));
        Assert.That(harness.Graph.Requests.Single().Method, Is.EqualTo(HttpMethod.Patch));
    }

    [Test]
    public void MeGet_CaeChallengeTwice_CallerCatchesUnsatisfiedClaimsChallengeWithClaims()
    {
        using var harness = Harness(() => UnsignedJwt.Delegated("User.Read"));
        harness.Graph.Respond = (_, _) => Response(HttpStatusCode.Unauthorized, S25Body, S25Challenge);
        var graph = new GraphServiceClient(harness.CreateClient());

        var caught = Assert.CatchAsync<Exception>(() => graph.Me.GetAsync());

        var ex = Typed(caught!);
        Assert.That(ex, Is.InstanceOf<GraphAuthSignInRequiredException>());
        Assert.That(ex.Claims, Is.EqualTo(S25Claims));
        Assert.That(harness.Graph.Sends, Is.EqualTo(2));
    }

    [Test]
    public async Task MeGet_Success_ReturnsTheUser()
    {
        using var harness = Harness(() => UnsignedJwt.Delegated("User.Read"));
        harness.Graph.Respond = (_, _) => GraphResponses.Json(HttpStatusCode.OK, "{\"id\":\"4f9c2e1a-7b3d-4e8f-9a0b-1c2d3e4f5a6b\",\"displayName\":\"Alice\"}");
        var graph = new GraphServiceClient(harness.CreateClient());

        var me = await graph.Me.GetAsync();

        Assert.That(me!.DisplayName, Is.EqualTo("Alice"));
        Assert.That(harness.Graph.Requests.Single().AuthorizationScheme, Is.EqualTo("Bearer"));
    }

    private static GraphAuthException Typed(Exception caught)
    {
        for (var e = caught; e is not null; e = e.InnerException)
        {
            if (e is GraphAuthException graph)
            {
                return graph;
            }
        }

        Assert.Fail($"Expected a GraphAuthException (directly or inner), got {caught.GetType().FullName}.");
        throw new InvalidOperationException("unreachable");
    }

    private static ChainHarness Harness(Func<UnsignedJwt> token) =>
        new(new FakeGraphTokenSource { TokenFactory = (_, n) => token().WithClaim("uti", $"sdk-{n}").Build() });
}
