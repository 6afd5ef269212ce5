using System.Net;
using System.Text;
using GraphAuthResilience.Batching;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Challenges;
using Microsoft.Extensions.Time.Testing;

namespace GraphAuthResilience.Tests.Batching;

/// <summary>A failed batch step diagnosed like a single request (the same classifier and catalog), from what the batch
/// handler already read: its claims and token as given, its ids, its own request body; a 400 that is not about auth
/// is left to the caller.</summary>
public class BatchStepDiagnosisTests
{
    private static readonly BatchStepDiagnoser Diagnose = BatchStepDiagnosis.Create(null, new FakeTimeProvider(DateTimeOffset.UtcNow));

    [Test]
    public void Diagnose_Forbidden_InsufficientPermissionsWithTheStepsIdsAndToken()
    {
        var token = Token(UnsignedJwt.AppOnly().WithRoles("User.ReadBasic.All"));
        var step = Step(HttpStatusCode.Forbidden, HttpMethod.Get, "https://graph.microsoft.com/v1.0/groups", Body("Authorization_RequestDenied", "Insufficient privileges to complete the operation."), token) with
        {
            RequestIdHeader = "0d8e9f3a-1111-4222-8333-944455556666",
            ClientRequestIdHeader = "7a6b5c4d-1111-4222-8333-944455556666",
        };

        var failure = Diagnose(step);

        Assert.That(failure?.Cause, Is.EqualTo(GraphAuthFailureCause.InsufficientPermissions));
        Assert.That(failure!.Token, Is.SameAs(token.Info), "the token as the batch read it");
        Assert.That(failure.RequestId, Is.EqualTo("0d8e9f3a-1111-4222-8333-944455556666"));
        Assert.That(failure.ClientRequestId, Is.EqualTo("7a6b5c4d-1111-4222-8333-944455556666"));
        Assert.That(failure.RequiredPermissions, Is.Not.Empty);
    }

    [Test]
    public void Diagnose_ClaimsChallenge_TheClaimsAsGiven()
    {
        var claims = ChallengeSamples.CaeUnquotedClaims;
        var step = Step(HttpStatusCode.Unauthorized, HttpMethod.Get, "https://graph.microsoft.com/v1.0/me/messages", Body("InvalidAuthenticationToken", "Continuous access evaluation resulted in claims challenge"), Token(UnsignedJwt.Delegated("Mail.Read"))) with
        {
            ClaimsJson = claims,
            Resent = true,
        };

        var failure = Diagnose(step);

        Assert.That(failure?.Cause, Is.EqualTo(GraphAuthFailureCause.UnsatisfiedClaimsChallenge));
        Assert.That(failure!.Claims, Is.SameAs(claims));
    }

    [Test]
    public void Diagnose_BadRequestNotAboutAuth_Null()
    {
        var step = Step(HttpStatusCode.BadRequest, HttpMethod.Get, "https://graph.microsoft.com/v1.0/users?$filter=bad", Body("BadRequest", "Invalid filter clause"), Token(UnsignedJwt.AppOnly().WithRoles("User.Read.All")));

        Assert.That(Diagnose(step), Is.Null);
    }

    [Test]
    public void Diagnose_PasswordResetStep_ReadsTheStepsOwnBody()
    {
        var token = Token(UnsignedJwt.AppOnly().WithRoles("User.ReadWrite.All"));
        var body = Body("Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
        const string Uri = "https://graph.microsoft.com/v1.0/users/6c5b4a39-0000-4000-8000-0000000000a1";
        var update = Step(HttpStatusCode.Forbidden, HttpMethod.Patch, Uri, body, token) with { RequestJsonBody = """{"displayName":"Adele"}"""u8.ToArray() };
        var reset = update with { RequestJsonBody = """{"passwordProfile":{"password":"x"}}"""u8.ToArray() };

        var updateFailure = Diagnose(update);
        var resetFailure = Diagnose(reset);

        Assert.That(updateFailure, Is.Not.Null);
        Assert.That(resetFailure, Is.Not.Null);
        Assert.That(resetFailure!.RequiredPermissions, Is.Not.EqualTo(updateFailure!.RequiredPermissions), "a password reset needs other permissions than an update");
    }

    private static (string Text, GraphTokenInfo Info) Token(UnsignedJwt jwt)
    {
        var text = jwt.Build();
        Assert.That(GraphTokenInfo.TryParse(text, out var info), Is.True);
        return (text, info!);
    }

    private static BatchStepFailure Step(HttpStatusCode status, HttpMethod method, string uri, string body, (string Text, GraphTokenInfo Info) token) =>
        new("1", status, method, new Uri(uri), null, Encoding.UTF8.GetBytes(body), token.Text, token.Info, Resent: false);

    private static string Body(string code, string message) =>
        "{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message + "\",\"innerError\":{\"date\":\"2026-11-25T07:00:00\",\"request-id\":\"0d8e9f3a-1111-4222-8333-944455556666\"}}}";
}
