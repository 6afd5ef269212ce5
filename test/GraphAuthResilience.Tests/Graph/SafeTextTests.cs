using GraphAuthResilience.Graph;

namespace GraphAuthResilience.Tests.Graph;

/// <summary>Text from an answer made safe for a log line, a message or a terminal: control, separator and
/// bidirectional characters escaped, lone surrogates escaped, the length bounded; safe text returned as it is.</summary>
public class SafeTextTests
{
    [Test]
    public void Value_SafeShortText_ReturnedAsTheSameInstance()
    {
        var text = new string("Authorization_RequestDenied".AsSpan());

        Assert.That(SafeText.Value(text), Is.SameAs(text));
        Assert.That(SafeText.Value(null), Is.Null);
        Assert.That(SafeText.Message(null), Is.Null);
    }

    [TestCase("a\r\nb", "a\\r\\nb")]
    [TestCase("tab\there", "tab\\there")]
    [TestCase("\u001b[31mred", "\\u001b[31mred")]
    [TestCase("\u009b0m", "\\u009b0m")]
    [TestCase("nul\0", "nul\\u0000")]
    [TestCase("line\u2028next", "line\\u2028next")]
    [TestCase("abc\u202edcba", "abc\\u202edcba")]
    [TestCase("\ufeffbom", "\\ufeffbom")]
    public void Bound_UnsafeCharacters_Escaped(string text, string expected)
    {
        Assert.That(SafeText.IsSafe(text), Is.False);
        Assert.That(SafeText.Bound(text, 100), Is.EqualTo(expected));
    }

    [Test]
    public void Bound_LoneSurrogate_Escaped()
    {
        // Built at run time: a lone surrogate does not survive in an attribute argument.
        var text = "lone" + (char)0xD83D + "x";

        Assert.That(SafeText.IsSafe(text), Is.False);
        Assert.That(SafeText.Bound(text, 100), Is.EqualTo("lone\\ud83dx"));
    }

    [Test]
    public void Bound_SurrogatePairAndAccents_Kept()
    {
        const string Text = "café \ud83d\ude00 Zürich";

        Assert.That(SafeText.IsSafe(Text), Is.True);
        Assert.That(SafeText.Bound(Text, 100), Is.EqualTo(Text));
    }

    [Test]
    public void Bound_LongerThanTheLimit_CutWithAnEllipsis()
    {
        Assert.That(SafeText.Bound(new string('x', 10), 5), Is.EqualTo("xxxxx…"));
        Assert.That(SafeText.Value(new string('r', 500)), Has.Length.EqualTo(SafeText.MaxValueLength + 1).And.EndWith("…"));
        Assert.That(SafeText.StepId(new string('s', 100)), Has.Length.EqualTo(SafeText.MaxStepIdLength + 1));
    }

    [Test]
    public void Bound_CutNeverSplitsAnEscapeOrAPair()
    {
        Assert.That(SafeText.Bound("ab\n", 3), Is.EqualTo("ab…"));
        Assert.That(SafeText.Bound("ab\ud83d\ude00", 3), Is.EqualTo("ab…"));
        Assert.That(SafeText.Bound("a\u001bb", 6), Is.EqualTo("a…"));
    }

    [Test]
    public void Bound_NullText_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => SafeText.Bound(null!, 10));
    }
}
