using GraphAuthResilience.Graph;

namespace GraphAuthResilience.Tests.Graph;

/// <summary>Base64 in every form Graph and Entra ID send: standard or url-safe, padded or not; anything else refused.</summary>
public class Base64UrlTextTests
{
    [TestCase("aGVsbG8")]
    [TestCase("aGVsbG8=")]
    [TestCase(" aGVsbG8= ")]
    public void TryDecodeUtf8_PaddedOrNot_Decodes(string value)
    {
        Assert.That(Base64UrlText.TryDecodeUtf8(value), Is.EqualTo("hello"));
    }

    [TestCase("+/8=")]
    [TestCase("+/8")]
    [TestCase("-_8")]
    public void TryDecode_StandardOrUrlSafeAlphabet_SameBytes(string value)
    {
        Assert.That(Base64UrlText.TryDecode(value), Is.EqualTo(new byte[] { 0xfb, 0xff }));
    }

    [TestCase("")]
    [TestCase("   ")]
    [TestCase("=")]
    [TestCase("a")]
    [TestCase("aGVs bG8=")]
    [TestCase("aGVs=bG8")]
    [TestCase("@@@@")]
    public void TryDecode_NotBase64_Null(string value)
    {
        Assert.That(Base64UrlText.TryDecode(value), Is.Null);
    }

    [Test]
    public void TryDecodeUtf8_BytesThatAreNotUtf8_Null()
    {
        Assert.That(Base64UrlText.TryDecode("/w=="), Is.EqualTo(new byte[] { 0xff }));
        Assert.That(Base64UrlText.TryDecodeUtf8("/w=="), Is.Null);
    }

    [Test]
    public void TryDecode_LongerThanTheStackBuffer_Decodes()
    {
        var bytes = Enumerable.Range(0, 3000).Select(i => (byte)i).ToArray();
        var url = Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Assert.That(url.Length, Is.GreaterThan(1024));

        Assert.That(Base64UrlText.TryDecode(url), Is.EqualTo(bytes));
    }
}
