using System.Text;
using GraphAuthResilience.Graph;

namespace GraphAuthResilience.Tests.Graph;

/// <summary>Graph's words about the kind of token an API refuses: app-only, delegated, or nothing said.</summary>
public class GraphTokenKindWordsTests
{
    [TestCase("/me request is only valid with delegated authentication flow.")]
    [TestCase("This API is not supported in application-only context.")]
    [TestCase("Application permission is only supported for the following entity types: message, event.")]
    [TestCase("Application permissions are not supported for this API.")]
    [TestCase("This operation requires a signed-in user.")]
    public void Read_AppOnlyRefused(string message)
    {
        Assert.That(GraphTokenKindWords.Read(message), Is.EqualTo(GraphTokenKindRefusal.AppOnlyRefused));
    }

    [TestCase("Delegated permissions are not supported for this API.")]
    [TestCase("This API is only supported with app-only tokens.")]
    [TestCase("This operation requires an application-only token.")]
    public void Read_DelegatedRefused(string message)
    {
        Assert.That(GraphTokenKindWords.Read(message), Is.EqualTo(GraphTokenKindRefusal.DelegatedRefused));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("Insufficient privileges to complete the operation.")]
    [TestCase("Access token has expired or is not yet valid.")]
    [TestCase("Either scp or roles claim need to be present in the token.")]
    public void Read_NothingAboutTheKindOfToken_None(string? message)
    {
        Assert.That(GraphTokenKindWords.Read(message), Is.EqualTo(GraphTokenKindRefusal.None));
    }

    [Test]
    public void Read_Utf8Body_ReadsLikeTheText()
    {
        const string Body = """{"error":{"code":"BadRequest","message":"/me request is only valid with delegated authentication flow."}}""";

        Assert.That(GraphTokenKindWords.Read(Encoding.UTF8.GetBytes(Body)), Is.EqualTo(GraphTokenKindRefusal.AppOnlyRefused));
        Assert.That(GraphTokenKindWords.Read(ReadOnlySpan<byte>.Empty), Is.EqualTo(GraphTokenKindRefusal.None));
    }
}
