// Deliberately in the root test namespace: this set-up fixture wraps every test of the suite, so the activities and
// metrics of every scenario, and the logs of every ChainHarness, are recorded for the leak scan (LeakScanTests).
namespace GraphAuthResilience.Tests;

[SetUpFixture]
public sealed class SuiteTelemetry
{
    internal static Security.TelemetryRecorder? Recorder { get; private set; }

    [OneTimeSetUp]
    public void StartRecording() => Recorder = new Security.TelemetryRecorder(line => LeakScanner.JwtShapedOrKnownSecrets([line]).Count > 0);

    [OneTimeTearDown]
    public void StopRecording()
    {
        var recorder = Recorder;
        Recorder = null;
        if (recorder is null)
        {
            return;
        }

        // Final sweep over the whole run (the leak-scan test ran mid-suite on what existed then).
        var findings = LeakScanner.JwtShapedOrKnownSecrets(recorder.Lines);
        TestContext.Progress.WriteLine($"suite telemetry: {recorder.LogLines} log lines, {recorder.ActivityCount} activities, {recorder.Measurements} measurements scanned, {findings.Count} leaks");
        recorder.Dispose();
        Assert.That(findings, Is.Empty, "token-shaped text or a known secret in the suite's logs, activities or metrics");
    }
}
