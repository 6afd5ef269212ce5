using System.Net;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Infrastructure;
using GraphAuthResilience.Tokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Identity.Client;

namespace GraphAuthResilience.Tests.Tokens;

/// <summary>Regression tests for token-cache defects (besides the fault injection of
/// <see cref="TokenAcquisitionFaultInjectionTests"/>).</summary>
public class TokenCacheDefectTests
{
    private static readonly string[] Scopes = [GraphAuthOptions.DefaultScope];
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    // (a) Odd expiries are clamped: the answer reaches the waiters and the entry is released.
    [TestCase("default", 2)]
    [TestCase("min", 2)]
    [TestCase("past", 2)]
    [TestCase("max", 1)]
    [TestCase("refreshOnMin", 1)]
    [TestCase("refreshOnMax", 1)]
    public async Task GetTokenAsync_SourceGivesAnOddExpiry_AnsweredAndTheEntryReleased(string expiry, int expectedCalls)
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T08:00:00Z"));
        var calls = 0;
        var source = new DelegateSource((_, _) =>
        {
            var n = Interlocked.Increment(ref calls);
            var value = UnsignedJwt.AppOnly().WithClaim("uti", $"odd-{n}").Build();
            var now = time.GetUtcNow();
            return new ValueTask<GraphAccessToken>(expiry switch
            {
                "default" => new GraphAccessToken(value, default),
                "min" => new GraphAccessToken(value, DateTimeOffset.MinValue),
                "past" => new GraphAccessToken(value, now.AddMinutes(-1)),
                "max" => new GraphAccessToken(value, DateTimeOffset.MaxValue),
                "refreshOnMin" => new GraphAccessToken(value, now.AddHours(1)) { RefreshOn = DateTimeOffset.MinValue },
                _ => new GraphAccessToken(value, now.AddHours(1)) { RefreshOn = DateTimeOffset.MaxValue },
            });
        });
        using var cache = new GraphTokenCache(source, time, TimeSpan.FromMinutes(5), NullLogger.Instance);

        var first = await cache.GetTokenAsync(Scopes, null, null, CancellationToken.None).AsTask().WaitAsync(Bound);
        var second = await cache.GetTokenAsync(Scopes, null, null, CancellationToken.None).AsTask().WaitAsync(Bound);

        Assert.That(first.Value, Does.StartWith("ey"));
        Assert.That(second.Value, Does.StartWith("ey"));
        Assert.That(calls, Is.EqualTo(expectedCalls), "an expired or undated token is handed over, never cached; odd refresh times are clamped");
        Assert.That(cache.PendingCount, Is.Zero);
    }

    // (a) The AADSTS mapping is bounded and cannot throw or time out, whatever the size of MSAL's message.
    [Test]
    public async Task GetTokenAsync_MsalErrorOfTenMegabytes_TypedFailureAndTheNextRequestIsServed()
    {
        var huge = "AADSTS7000215: Invalid client secret provided. " + new string('9', 10 * 1024 * 1024);
        var calls = 0;
        var source = new DelegateSource((_, _) => Interlocked.Increment(ref calls) == 1
            ? throw new MsalServiceException("invalid_client", huge)
            : new ValueTask<GraphAccessToken>(new GraphAccessToken(UnsignedJwt.AppOnly().Build(), DateTimeOffset.UtcNow.AddHours(1))));
        using var cache = new GraphTokenCache(source, TimeProvider.System, TimeSpan.FromMinutes(5), NullLogger.Instance);

        var ex = Assert.CatchAsync<GraphAuthException>(() => cache.GetTokenAsync(Scopes, null, null, CancellationToken.None).AsTask().WaitAsync(Bound));
        var next = await cache.GetTokenAsync(Scopes, null, null, CancellationToken.None).AsTask().WaitAsync(Bound);

        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.TokenAcquisitionFailed));
        Assert.That(ex.AadstsCode, Is.EqualTo("AADSTS7000215"));
        Assert.That(ex.InnerException, Is.Null, "MSAL's exception (its text is the token endpoint's answer) is never kept");
        Assert.That(ex.Message.Length, Is.LessThan(1000));
        Assert.That(next.Value, Does.StartWith("ey"));
    }

    [TestCase("AADSTS", 8 * 1024 * 1024, null)]
    [TestCase("AADSTS1", 8 * 1024 * 1024, null)]
    [TestCase("x", TokenSourceErrors.MaxAadstsSearchLength, null)]
    public void AadstsCode_HostileText_BoundedAndNeverThrows(string unit, int length, string? expected)
    {
        var text = string.Concat(Enumerable.Repeat(unit, (length / unit.Length) + 1)) + " AADSTS50076";

        Assert.That(TokenSourceErrors.AadstsCode(text), Is.EqualTo(expected), "only the first 4 KiB are searched");
    }

    [TestCase("AADSTS65001: consent", "AADSTS65001")]
    [TestCase("error AADSTS123 then AADSTS50076: MFA", "AADSTS50076")]
    [TestCase("AADSTS123456789 AADSTS7000222", "AADSTS7000222")]
    [TestCase("no code", null)]
    public void AadstsCode_Text_FindsTheFirstFourToEightDigitCode(string text, string? expected) =>
        Assert.That(TokenSourceErrors.AadstsCode(text), Is.EqualTo(expected));

    // (b) Every acquisition is bounded, for any source.
    [Test]
    public async Task GetTokenAsync_SourceNeverAnswers_TypedFailureAtTheAcquisitionTimeoutAndTheNextRequestStartsAgain()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T08:00:00Z"));
        var calls = 0;
        var never = new TaskCompletionSource<GraphAccessToken>();
        var source = new DelegateSource((_, _) => Interlocked.Increment(ref calls) == 1
            ? new ValueTask<GraphAccessToken>(never.Task) // ignores cancellation: a source that hangs for good
            : new ValueTask<GraphAccessToken>(new GraphAccessToken(UnsignedJwt.AppOnly().Build(), time.GetUtcNow().AddHours(1))));
        using var cache = new GraphTokenCache(source, time, TimeSpan.FromMinutes(5), NullLogger.Instance, acquisitionTimeout: TimeSpan.FromSeconds(30));

        var waiting = cache.GetTokenAsync(Scopes, null, null, CancellationToken.None).AsTask();
        await WaitUntilAsync(() => calls == 1);
        time.Advance(TimeSpan.FromSeconds(30));
        var ex = Assert.CatchAsync<GraphAuthException>(() => waiting.WaitAsync(Bound));
        var next = await cache.GetTokenAsync(Scopes, null, null, CancellationToken.None).AsTask().WaitAsync(Bound);

        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.TokenAcquisitionFailed));
        Assert.That(ex.Message, Does.Contain("no answer within 00:00:30"));
        Assert.That(ex.Remediation, Does.Contain("TokenAcquisitionTimeout"));
        Assert.That(next.Value, Does.StartWith("ey"));
        Assert.That(calls, Is.EqualTo(2));
    }

    [Test]
    public async Task GetTokenAsync_EveryCallerGaveUp_TheNextRequestStartsANewAcquisitionAtOnce()
    {
        var calls = 0;
        var never = new TaskCompletionSource<GraphAccessToken>();
        var source = new DelegateSource((_, _) => Interlocked.Increment(ref calls) == 1
            ? new ValueTask<GraphAccessToken>(never.Task)
            : new ValueTask<GraphAccessToken>(new GraphAccessToken(UnsignedJwt.AppOnly().Build(), DateTimeOffset.UtcNow.AddHours(1))));
        using var cache = new GraphTokenCache(source, TimeProvider.System, TimeSpan.FromMinutes(5), NullLogger.Instance);
        using var giveUp = new CancellationTokenSource();

        var first = cache.GetTokenAsync(Scopes, null, null, giveUp.Token).AsTask();
        await WaitUntilAsync(() => calls == 1);
        await giveUp.CancelAsync();
        Assert.CatchAsync<OperationCanceledException>(() => first.WaitAsync(Bound));

        // The default timeout is two minutes: the bound below proves the next request did not wait for it.
        var next = await cache.GetTokenAsync(Scopes, null, null, CancellationToken.None).AsTask().WaitAsync(Bound);

        Assert.That(next.Value, Does.StartWith("ey"));
        Assert.That(calls, Is.EqualTo(2));
    }

    [Test]
    public async Task GetTokenAsync_AbandonedAgainWhileTheFirstOrphanRuns_TheSecondIsCancelledAndAtMostTwoRun()
    {
        var calls = 0;
        var cancelled = 0;
        var source = new DelegateSource(async (_, ct) =>
        {
            Interlocked.Increment(ref calls);
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref cancelled);
                throw;
            }

            return default;
        });
        using var cache = new GraphTokenCache(source, TimeProvider.System, TimeSpan.FromMinutes(5), NullLogger.Instance);

        for (var i = 1; i <= 3; i++)
        {
            using var giveUp = new CancellationTokenSource();
            var waiting = cache.GetTokenAsync(Scopes, null, null, giveUp.Token).AsTask();
            await WaitUntilAsync(() => calls == i);
            await giveUp.CancelAsync();
            Assert.CatchAsync<OperationCanceledException>(() => waiting.WaitAsync(Bound));
        }

        await WaitUntilAsync(() => cancelled == 2);
        Assert.That(calls, Is.EqualTo(3));
        Assert.That(cancelled, Is.EqualTo(2), "the first (orphan) keeps running; the second and third were cancelled");
    }

    [Test]
    public async Task AddGraphAuthHandlers_TokenAcquisitionTimeout_BoundsTheApplicationsOwnSource()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T08:00:00Z"));
        var source = new FakeGraphTokenSource(time) { Delay = (_, _) => new TaskCompletionSource().Task };
        using var harness = new ChainHarness(
            source, o => o.TokenAcquisitionTimeout = TimeSpan.FromSeconds(10), services: s => s.AddSingleton<TimeProvider>(time));

        var sending = harness.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/users");
        await WaitUntilAsync(() => source.CallCount == 1);
        time.Advance(TimeSpan.FromSeconds(10));

        var ex = Assert.CatchAsync<GraphAuthException>(() => sending.WaitAsync(Bound));
        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.TokenAcquisitionFailed));
        Assert.That(harness.Graph.Sends, Is.Zero);
    }

    [TestCase(0, 60)]
    [TestCase(10_000, 0)]
    [TestCase(2_000_000, 60)]
    public void AddGraphAuthHandlers_CacheSizeOrTimeoutOutOfRange_ValidationNamesTheSetting(int size, int timeoutSeconds)
    {
        using var harness = new ChainHarness(new FakeGraphTokenSource(), o =>
        {
            o.TokenCacheSize = size;
            o.TokenAcquisitionTimeout = TimeSpan.FromSeconds(timeoutSeconds);
        });

        var ex = Assert.Throws<OptionsValidationException>(() => harness.Provider.GetRequiredService<IOptionsMonitor<GraphAuthOptions>>().Get(ChainHarness.ClientName));

        Assert.That(ex!.Message, Does.Contain(size == 10_000 ? "TokenAcquisitionTimeout" : "TokenCacheSize"));
    }

    // (c) Event 1010 says why a background refresh failed: the typed cause and AADSTS code, never the text.
    [Test]
    public async Task GetTokenAsync_BackgroundRefreshFails_Event1010CarriesTheCauseAndAadstsCodeNotTheText()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T08:00:00Z"));
        var calls = 0;
        var source = new DelegateSource((_, _) => Interlocked.Increment(ref calls) == 1
            ? new ValueTask<GraphAccessToken>(new GraphAccessToken(UnsignedJwt.AppOnly().Build(), time.GetUtcNow().AddHours(1)))
            : throw new MsalUiRequiredException("invalid_grant", "AADSTS65001: The user or administrator has not consented to use the application named Contoso Secret Project."));
        var logger = new FakeLogger();
        using var cache = new GraphTokenCache(source, time, TimeSpan.FromMinutes(5), logger);
        var first = await cache.GetTokenAsync(Scopes, null, null, CancellationToken.None);

        time.Advance(TimeSpan.FromMinutes(56));
        var served = await cache.GetTokenAsync(Scopes, null, null, CancellationToken.None);
        await WaitUntilAsync(() => logger.Collector.GetSnapshot().Any(r => r.Id.Id == 1010));

        var record = logger.Collector.GetSnapshot().Single(r => r.Id.Id == 1010);
        Assert.That(served.Value, Is.EqualTo(first.Value), "the current token still serves");
        Assert.That(record.Message, Does.Contain("ConsentRequired").And.Contain("AADSTS65001"));
        Assert.That(record.Message, Does.Not.Contain("consented").And.Not.Contain("Contoso"));
        Assert.That(record.StructuredState!.Single(p => p.Key == "Cause").Value, Is.EqualTo("ConsentRequired"));
        Assert.That(record.StructuredState!.Single(p => p.Key == "AadstsCode").Value, Is.EqualTo("AADSTS65001"));
    }

    // (d) The application's own exception is kept; MSAL's never.
    [Test]
    public void GetTokenAsync_ApplicationSourceThrowsItsOwnException_KeptAsInnerException()
    {
        var own = new InvalidOperationException("Key Vault secret 'graph-client' is disabled.");
        using var cache = new GraphTokenCache(new DelegateSource((_, _) => throw own), TimeProvider.System, TimeSpan.FromMinutes(5), NullLogger.Instance);

        var ex = Assert.CatchAsync<GraphAuthException>(() => cache.GetTokenAsync(Scopes, null, null, CancellationToken.None).AsTask());

        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.TokenAcquisitionFailed));
        Assert.That(ex.InnerException, Is.SameAs(own));
        Assert.That(ex.Remediation, Does.Contain("inner exception"));
    }

    [Test]
    public void GetTokenAsync_ApplicationSourceThrowsOrWrapsAnMsalException_NeverKept()
    {
        var msal = new MsalServiceException("invalid_client", "AADSTS7000215: Invalid client secret. Response body: {\"error\":\"invalid_client\"}");
        foreach (var thrown in new Exception[] { msal, new InvalidOperationException("wrapped", msal), new AggregateException(new InvalidOperationException("inner", msal)) })
        {
            using var cache = new GraphTokenCache(new DelegateSource((_, _) => throw thrown), TimeProvider.System, TimeSpan.FromMinutes(5), NullLogger.Instance);

            var ex = Assert.CatchAsync<GraphAuthException>(() => cache.GetTokenAsync(Scopes, null, null, CancellationToken.None).AsTask());

            Assert.That(ex!.InnerException, Is.Null, thrown.GetType().Name);
            Assert.That(ex.ToString(), Does.Not.Contain("Response body"));
        }
    }

    // (e) An on-behalf-of assertion callback that throws surfaces typed, naming the callback, its message not copied.
    [TestCase(false)]
    [TestCase(true)]
    public void SendAsync_OnBehalfOfAssertionCallbackThrows_TypedFailureNamingTheCallback(bool asynchronously)
    {
        var app = ConfidentialClientApplicationBuilder.Create("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee")
            .WithAuthority("https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/")
            .WithClientSecret("not-used")
            .WithInstanceDiscovery(false)
            .Build();
        var source = MsalTokenSource.OnBehalfOf(app, asynchronously
            ? async ct =>
            {
                await Task.Yield();
                throw new InvalidOperationException("No HttpContext; header was Bearer eyJ-callers-assertion");
            }
            : _ => throw new InvalidOperationException("No HttpContext; header was Bearer eyJ-callers-assertion"));
        using var harness = new ChainHarness(source);

        var ex = Assert.CatchAsync<GraphAuthException>(() => harness.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/me"));

        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.TokenAcquisitionFailed));
        Assert.That(ex.Remediation, Does.Contain("assertion callback"));
        Assert.That(ex.ToString(), Does.Not.Contain("eyJ-callers-assertion").And.Not.Contain("No HttpContext"));
        Assert.That(ex.InnerException, Is.Null);
        Assert.That(harness.Graph.Sends, Is.Zero);
    }

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        // A bounded wait for a state, not a timing assertion.
        for (var i = 0; i < 2000 && !condition(); i++)
        {
            await Task.Delay(10);
        }
    }

    internal sealed class DelegateSource(Func<GraphTokenRequest, CancellationToken, ValueTask<GraphAccessToken>> answer) : IGraphTokenSource
    {
        public ValueTask<GraphAccessToken> GetTokenAsync(GraphTokenRequest request, CancellationToken cancellationToken) =>
            answer(request, cancellationToken);
    }
}
