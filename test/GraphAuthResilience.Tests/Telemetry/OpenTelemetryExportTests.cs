using System.Diagnostics;
using System.Diagnostics.Metrics;
using GraphAuthResilience.Testing;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using RichardSzalay.MockHttp;

namespace GraphAuthResilience.Tests.Telemetry;

/// <summary>
/// The chain's spans and metrics as an OpenTelemetry collector gets them: the SDK set up with the lines
/// docs/telemetry.md gives (<c>AddOpenTelemetry().WithTracing(AddSource).WithMetrics(AddMeter)</c>), exporting to its
/// in-memory exporter, over real MSAL (the fake token endpoint) and the Testing package's Graph answers. The test's
/// own trace and its container's meter are kept apart from the rest of the suite (a trace id filter and a view that
/// drops other containers' instruments).
/// </summary>
[NonParallelizable]
public class OpenTelemetryExportTests
{
    private const string Users = "https://graph.microsoft.com/v1.0/users";
    private const string Me = "https://graph.microsoft.com/v1.0/me";
    private const string Groups = "https://graph.microsoft.com/v1.0/groups";
    private static readonly ActivitySource TestSource = new("GraphAuthResilience.Tests.OpenTelemetry");

    [Test]
    public async Task Chain_ExportedSpansAndMetrics_CarryTheSemanticConventionAttributesAndNoSecret()
    {
        var exported = await RunScenariosAsync();

        // Spans: one per call to the token source.
        var acquisitions = exported.Spans.Where(s => s.OperationName == "graph_auth.acquire_token").ToList();
        Assert.That(acquisitions, Has.Count.EqualTo(4),
            "a refused acquisition, a cold one, one for the claims challenge, one after the challenged token was forgotten");
        Assert.That(acquisitions.Select(s => s.Source.Name), Is.All.EqualTo("GraphAuthResilience"));
        var failed = acquisitions[0];
        Assert.That(failed.Status, Is.EqualTo(ActivityStatusCode.Error));
        Assert.That(failed.GetTagItem("error.type"), Is.EqualTo("TokenAcquisitionFailed"));
        Assert.That(failed.GetTagItem("server.address"), Is.Null, "nothing answered with a token");
        foreach (var ok in acquisitions.Skip(1).Take(2))
        {
            Assert.That(ok.Status, Is.Not.EqualTo(ActivityStatusCode.Error));
            Assert.That(ok.GetTagItem("server.address"), Is.EqualTo("login.microsoftonline.com"));
            Assert.That(ok.GetTagItem("server.port"), Is.EqualTo(443));
            Assert.That(ok.GetTagItem("error.type"), Is.Null);
            Assert.That(ok.GetTagItem("graph_auth.scopes"), Is.EqualTo(FakeEntraTokenEndpoint.Scope));
        }

        Assert.That(acquisitions.Select(s => s.GetTagItem("graph_auth.has_claims")), Is.EqualTo(new object[] { false, false, true, false }));
        Assert.That(exported.TokenPosts, Is.EqualTo(3), "the last acquisition was answered from MSAL's own cache ...");
        Assert.That(acquisitions[3].GetTagItem("server.address"), Is.Null, "... so no token endpoint is named");
        Assert.That(acquisitions[3].Status, Is.Not.EqualTo(ActivityStatusCode.Error));

        // Metrics: the graph_auth.* instruments with the standard attributes beside their own.
        var acquired = exported.Points("graph_auth.token.acquisitions");
        Assert.That(acquired.Single(p => Equals(p.Tags["graph_auth.outcome"], "failure")).Tags, Does.ContainKey("error.type").WithValue("TokenAcquisitionFailed"));
        Assert.That(acquired.Where(p => Equals(p.Tags["graph_auth.outcome"], "success")).Sum(p => p.Value), Is.EqualTo(3));
        Assert.That(acquired.Where(p => Equals(p.Tags["graph_auth.outcome"], "success")).Select(p => p.Tags), Has.None.ContainKey("error.type"));

        var replay = exported.Points("graph_auth.replays").Single();
        Assert.That(replay.Value, Is.EqualTo(1));
        Assert.That(replay.Tags, Does.ContainKey("http.request.resend_count").WithValue(1));
        Assert.That(replay.Tags, Does.ContainKey("graph_auth.reason").WithValue("claims_challenge"));

        var failures = exported.Points("graph_auth.failures");
        Assert.That(failures.Select(p => (p.Tags["graph_auth.cause"], p.Tags["error.type"], p.Value)), Is.EqualTo(new[]
        {
            ((object?)exported.Denied.Cause.ToString(), (object?)exported.Denied.Cause.ToString(), 1d),
        }), "Graph's refusal, diagnosed (a refused acquisition is counted with the acquisitions)");
        Assert.That(exported.Points("graph_auth.token.cache_hits").Sum(p => p.Value), Is.GreaterThanOrEqualTo(1));
        Assert.That(exported.Points("graph_auth.token.acquisition.duration"), Is.Not.Empty);

        // No secret in any exported attribute, status, event or metric tag.
        Assert.That(exported.Texts, Is.Not.Empty);
        Assert.That(exported.Forbidden, Has.Count.GreaterThanOrEqualTo(4), "the secret, the issued tokens and the challenge's claims");
        foreach (var text in exported.Texts)
        {
            foreach (var secret in exported.Forbidden)
            {
                Assert.That(text, Does.Not.Contain(secret), "an exported value carries a secret");
            }
        }
    }

    private static async Task<Exported> RunScenariosAsync()
    {
        var spans = new List<Activity>();
        var metrics = new List<MetricSnapshot>();
        var endpoint = new FakeEntraTokenEndpoint();
        var graph = new MockHttpMessageHandler();
        graph.When(Users).Respond(m => GraphResponses.Ok("""{"value":[]}""", m));
        graph.When(Me).RespondWithClaimsChallengeOnce("""{"displayName":"Adele Vance"}""");
        graph.When(Groups).RespondWithGraphAuthFailure(GraphAuthFailureCause.InsufficientPermissions);

        IMeterFactory? ours = null; // the test container's, known once it is built (views are asked as instruments are published)
        var services = new ServiceCollection();
        services.AddHttpClient("graph")
            .AddGraphAuthHandlers(o => o.TokenSource = MsalTokenSource.ForClientCredentials(endpoint.CreateConfidentialClient(capabilities: "cp1")))
            .ConfigurePrimaryHttpMessageHandler(() => graph);

        // The three lines of docs/telemetry.md ...
        services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddSource("GraphAuthResilience")
                .AddSource(TestSource.Name).AddInMemoryExporter(spans))     // ... plus the test's exporter and root span
            .WithMetrics(metering => metering.AddMeter("GraphAuthResilience")
                .AddView(instrument => ours is not null && ReferenceEquals(instrument.Meter.Scope, ours)
                    ? null : MetricStreamConfiguration.Drop)                 // ... this container's instruments only
                .AddInMemoryExporter(metrics));

        using var provider = services.BuildServiceProvider();
        ours = provider.GetRequiredService<IMeterFactory>();
        var tracerProvider = provider.GetRequiredService<TracerProvider>();
        var meterProvider = provider.GetRequiredService<MeterProvider>();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("graph");

        ActivityTraceId trace;
        GraphAuthException denied;
        using (var root = TestSource.StartActivity("test"))
        {
            Assert.That(root, Is.Not.Null, "the tracer provider listens to the test's source");
            trace = root!.TraceId;
            endpoint.EnqueueError(7000215);
            Assert.CatchAsync<GraphAuthException>(() => client.GetStringAsync(Users));
            await client.GetStringAsync(Users);
            await client.GetStringAsync(Users);
            Assert.That(await client.GetStringAsync(Me), Does.Contain("Adele"));
            denied = Assert.CatchAsync<GraphAuthException>(() => client.GetStringAsync(Groups))!;
        }

        tracerProvider.ForceFlush();
        meterProvider.ForceFlush();
        List<MetricSnapshot> collected = [.. metrics]; // one collection; disposing the provider would export once more

        var forbidden = new List<string> { FakeEntraTokenEndpoint.Secret, GraphResponses.QuotedClaimsJson };
        forbidden.AddRange(endpoint.IssuedTokens);
        forbidden.AddRange(endpoint.IssuedTokens.Select(t => t.Split('.')[1]));
        forbidden.Add(GraphResponses.QuotedClaimsChallenge[(GraphResponses.QuotedClaimsChallenge.IndexOf("claims=\"", StringComparison.Ordinal) + 8)..].TrimEnd('"'));
        return new Exported([.. spans.Where(s => s.TraceId == trace)], collected, denied, forbidden) { TokenPosts = endpoint.Posts };
    }

    private sealed record Point(IReadOnlyDictionary<string, object?> Tags, double Value);

    private sealed record Exported(List<Activity> Spans, List<MetricSnapshot> Metrics, GraphAuthException Denied, List<string> Forbidden)
    {
        public int TokenPosts { get; init; }

        public List<Point> Points(string name)
        {
            var points = new List<Point>();
            foreach (var metric in Metrics.Where(m => m.Name == name))
            {
                foreach (var point in metric.MetricPoints)
                {
                    var tags = new Dictionary<string, object?>(StringComparer.Ordinal);
                    foreach (var tag in point.Tags)
                    {
                        tags[tag.Key] = tag.Value;
                    }

                    var value = metric.MetricType switch
                    {
                        MetricType.LongSum => point.GetSumLong(),
                        MetricType.DoubleSum => point.GetSumDouble(),
                        MetricType.Histogram => point.GetHistogramCount(),
                        _ => double.NaN,
                    };
                    points.Add(new Point(tags, value));
                }
            }

            return points;
        }

        /// <summary>Every exported text: span names, attributes, status descriptions, events; metric names and tags.</summary>
        public IEnumerable<string> Texts
        {
            get
            {
                foreach (var span in Spans)
                {
                    yield return span.DisplayName;
                    yield return span.StatusDescription ?? string.Empty;
                    foreach (var tag in span.TagObjects)
                    {
                        yield return $"{tag.Key}={Text(tag.Value)}";
                    }

                    foreach (var e in span.Events)
                    {
                        yield return e.Name;
                        foreach (var tag in e.Tags)
                        {
                            yield return $"{tag.Key}={Text(tag.Value)}";
                        }
                    }
                }

                foreach (var metric in Metrics)
                {
                    yield return metric.Name;
                    foreach (var point in metric.MetricPoints)
                    {
                        foreach (var tag in point.Tags)
                        {
                            yield return $"{tag.Key}={Text(tag.Value)}";
                        }
                    }
                }
            }
        }

        private static string Text(object? value) => value switch
        {
            null => string.Empty,
            string s => s,
            System.Collections.IEnumerable items => string.Join(",", items.Cast<object?>()),
            _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty,
        };
    }
}
