using System.Net;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Infrastructure;

namespace GraphAuthResilience.Tests;

public class GraphAuthExceptionTests
{
    [TestCase(GraphAuthFailureCause.ConsentRequired, typeof(GraphAuthSignInRequiredException))]
    [TestCase(GraphAuthFailureCause.InteractionRequired, typeof(GraphAuthSignInRequiredException))]
    [TestCase(GraphAuthFailureCause.TokenAcquisitionFailed, typeof(GraphAuthTokenException))]
    public void Chain_FakeSourceForATokenSourceCause_CallerCatchesTheSubtype(GraphAuthFailureCause cause, Type expected)
    {
        using var harness = new ChainHarness(FakeGraphTokenSource.For(cause));

        var ex = Assert.CatchAsync<GraphAuthException>(() => harness.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/me"));

        Assert.That(ex, Is.InstanceOf(expected));
        Assert.That(ex!.Cause, Is.EqualTo(cause));
        Assert.That(harness.Graph.Sends, Is.Zero);
    }

    [Test]
    public void Chain_CustomSourceThrowsTheBaseType_CallerCatchesTheSubtypeWithEverythingItCarried()
    {
        var thrown = GraphAuthException.Create(new GraphAuthFailureDetails
        {
            Cause = GraphAuthFailureCause.ConsentRequired,
            Message = "Consent is missing.",
            Claims = "{\"id_token\":{}}",
            Scopes = ["Mail.Read"],
            AadstsCode = "AADSTS65001",
        });
        using var harness = new ChainHarness(new FakeGraphTokenSource { Failure = thrown });

        var ex = Assert.CatchAsync<GraphAuthException>(() => harness.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/me"));

        Assert.That(ex, Is.InstanceOf<GraphAuthSignInRequiredException>());
        Assert.That(ex!.Claims, Is.EqualTo("{\"id_token\":{}}"));
        Assert.That(ex.Scopes, Is.EqualTo(new[] { "Mail.Read" }));
        Assert.That(ex.AadstsCode, Is.EqualTo("AADSTS65001"));
        Assert.That(ex.Message, Is.EqualTo("Consent is missing."));
    }

    [TestCase(GraphAuthFailureCause.InsufficientPermissions, typeof(GraphAuthPermissionException))]
    [TestCase(GraphAuthFailureCause.ExpiredToken, typeof(GraphAuthTokenException))]
    [TestCase(GraphAuthFailureCause.UnsatisfiedClaimsChallenge, typeof(GraphAuthSignInRequiredException))]
    [TestCase(GraphAuthFailureCause.Unknown, typeof(GraphAuthException))]
    public void Create_EachCause_TheSubtypeForIt(GraphAuthFailureCause cause, Type expected)
    {
        var created = GraphAuthException.Create(new GraphAuthFailureDetails
        {
            Cause = cause,
            Message = "m",
            StatusCode = HttpStatusCode.Forbidden,
        });

        Assert.That(created.GetType(), Is.EqualTo(expected));
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public void Create_AlreadyASubtype_ReturnsTheSameInstance()
    {
        var typed = GraphAuthException.Create(new GraphAuthFailureDetails
        {
            Cause = GraphAuthFailureCause.ConsentRequired,
            Message = "m",
        });

        Assert.That(GraphAuthException.Create(typed), Is.SameAs(typed));
        Assert.Throws<ArgumentNullException>(() => GraphAuthException.Create(null!));
    }
}
