using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using GraphAuthResilience.Challenges;
using GraphAuthResilience.Diagnosis;
using GraphAuthResilience.Graph;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Infrastructure;

namespace GraphAuthResilience.Tests.Reliability;

/// <summary>
/// Property-based fuzzing (FsCheck 3) of everything the chain reads from the outside: WWW-Authenticate values, claims,
/// JWTs, Graph error bodies and whole failed responses. The properties: no exception other than our typed ones, no
/// hang (each property is bounded), and what can be read is read right (the classification falls back to what is
/// known). Each test records how many generated cases it ran and asserts that count; together they run 100,500.
/// </summary>
[NonParallelizable]
public class BadInputFuzzTests
{
    private const int HeaderCases = 30_000;
    private const int HeaderCollectionCases = 5_000;
    private const int ClaimsCases = 15_000;
    private const int ClaimsRoundTripCases = 5_000;
    private const int JwtCases = 20_000;
    private const int JwtRoundTripCases = 5_000;
    private const int ErrorBodyCases = 17_500;
    private const int FailureHandlerCases = 3_000;
    // A hang guard, not a timing goal: generous enough for a loaded 2-core machine (generation dominates there).
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(150);

    [Test]
    public async Task WwwAuthenticateParse_ArbitraryHeaderValues_NeverThrowsAndFoundClaimsAreJsonObjects()
    {
        var cases = await Run(HeaderCases, BadInputGenerators.HeaderText(), value =>
        {
            var challenges = WwwAuthenticateParser.Parse(value);
            foreach (var challenge in challenges)
            {
                if (challenge.Parameters is null || challenge.Parameters.Keys.Any(string.IsNullOrEmpty))
                {
                    return false;
                }
            }

            return ClaimsChallenge.Find(challenges) is not { } found || IsJsonObject(found.ClaimsJson);
        });

        Assert.That(cases, Is.EqualTo(HeaderCases));
    }

    [Test]
    public async Task WwwAuthenticateParse_ArbitraryResponseHeaders_NeverThrowsEvenWhereMsalReadsThemToo()
    {
        var cases = await Run(HeaderCollectionCases, BadInputGenerators.HeaderText().ListOf().Select(v => v.Take(3).ToArray()), values =>
        {
            using var response = new HttpResponseMessage(HttpStatusCode.Unauthorized);
            foreach (var value in values)
            {
                response.Headers.TryAddWithoutValidation("WWW-Authenticate", value);
            }

            var challenges = WwwAuthenticateParser.Parse(response.Headers);
            return ClaimsChallenge.Find(challenges) is not { } found || IsJsonObject(found.ClaimsJson);
        });

        Assert.That(cases, Is.EqualTo(HeaderCollectionCases));
    }

    [Test]
    public async Task ClaimsToJson_HugeNestedOrNonJsonValues_NullOrAJsonObjectNeverAnException()
    {
        var claims = Gen.OneOf(
            BadInputGenerators.JsonText(),
            BadInputGenerators.JsonText().Zip(Gen.Choose(0, 2)).Select(t => BadInputGenerators.Encode(t.Item1, t.Item2)),
            BadInputGenerators.HeaderText());
        var cases = await Run(ClaimsCases, claims, raw => ClaimsChallenge.ToJson(raw) is not { } json || IsJsonObject(json));

        Assert.That(cases, Is.EqualTo(ClaimsCases));
    }

    [Test]
    public async Task ClaimsChallengeFind_ClaimsInAnyEncodingAndParameterOrder_DecodesToTheSameJson()
    {
        var gen =
            from nbf in Gen.Choose(1, int.MaxValue)
            from essential in Gen.Elements(true, false)
            from extra in ArbMap.Default.GeneratorFor<string>()
            from style in Gen.Choose(0, 3)
            from order in Gen.Choose(0, 5)
            from scheme in Gen.Elements("Bearer ", "bearer ", string.Empty)
            select (Json: JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["access_token"] = new Dictionary<string, object?> { ["nbf"] = new { essential, value = nbf.ToString(System.Globalization.CultureInfo.InvariantCulture) } },
                ["xms_extra"] = extra,
            }), Style: style, Order: order, Scheme: scheme);

        var cases = await Run(ClaimsRoundTripCases, gen, c =>
        {
            var encoded = BadInputGenerators.Encode(c.Json, c.Style);
            string[] parts =
            [
                "realm=\"\"",
                "authorization_uri=https://login.microsoftonline.com/common/oauth2/authorize",
                "error=\"insufficient_claims\"",
                "claims=\"" + encoded.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"",
            ];
            var rotated = parts.Skip(c.Order % parts.Length).Concat(parts.Take(c.Order % parts.Length));
            var header = c.Scheme + string.Join(c.Order % 2 == 0 ? ", " : ",", rotated);
            var found = ClaimsChallenge.Find(WwwAuthenticateParser.Parse(header));
            return found is { } f && JsonEquals(f.ClaimsJson, c.Json);
        });

        Assert.That(cases, Is.EqualTo(ClaimsRoundTripCases));
    }

    [Test]
    public async Task GraphTokenInfoTryParse_MalformedTokens_FalseOrReadableNeverAnException()
    {
        var segment = Gen.OneOf(
            BadInputGenerators.JsonText().Select(j => Base64Url(Encoding.UTF8.GetBytes(j))),
            BadInputGenerators.JsonText(),
            ArbMap.Default.GeneratorFor<byte[]>().Select(b => Base64Url(b ?? [])),
            Gen.Elements("", "=", "eyJ", "!!!!", "e30", "bnVsbA", "W10", "IiI", "MQ", "////", "----"));
        var token = Gen.OneOf(
            segment.ListOf().Select(parts => string.Join('.', parts)),
            Gen.Zip(segment, segment).Select(t => $"{t.Item1}.{t.Item2}."),
            Gen.Zip(segment, segment).Select(t => $"Bearer {t.Item1}.{t.Item2}.sig"),
            BadInputGenerators.Huge(["eyJ", "a.b.", "."]),
            ArbMap.Default.GeneratorFor<string>());

        var readable = 0;
        var cases = await Run(JwtCases, token, value =>
        {
            if (GraphTokenInfo.TryParse(value, out var info))
            {
                Interlocked.Increment(ref readable);
                return info is not null && info.ToString().Length > 0;
            }

            return info is null;
        });

        await TestContext.Out.WriteLineAsync($"  of which readable: {readable}");
        Assert.That(cases, Is.EqualTo(JwtCases));
    }

    [Test]
    public async Task GraphTokenInfoTryParse_GeneratedValidTokens_ReadsBackWhatWasWritten()
    {
        var gen =
            from tenant in Gen.Elements(FakeEntraTokenEndpoint.Tenant, GraphTokenInfo.PersonalAccountTenantId)
            from audience in Gen.Elements("https://graph.microsoft.com", "00000003-0000-0000-c000-000000000000", "https://graph.windows.net", "https://outlook.office.com")
            from scopes in Gen.Elements("User.Read", "Mail.Read", "Files.ReadWrite.All", "Sites.Read.All").ListOf()
            from roles in Gen.Elements("User.Read.All", "Mail.Send").ListOf()
            from seconds in Gen.Choose(1, int.MaxValue)
            select (tenant, audience, scopes: scopes.Distinct().ToArray(), roles: roles.ToArray(), seconds);

        var cases = await Run(JwtRoundTripCases, gen, c =>
        {
            var jwt = (c.scopes.Length > 0 ? UnsignedJwt.Delegated(c.scopes) : UnsignedJwt.AppOnly())
                .WithAudience(c.audience).WithTenant(c.tenant).WithRoles(c.roles).ExpiresAt(DateTimeOffset.FromUnixTimeSeconds(c.seconds)).Build();
            return GraphTokenInfo.TryParse(jwt, out var info) && info is not null
                && info.Audience == c.audience && info.TenantId == c.tenant
                && info.Scopes.SequenceEqual(c.scopes) && info.Roles.SequenceEqual(c.roles)
                && info.IsAppOnly == (c.scopes.Length == 0) && info.ExpiresOn == DateTimeOffset.FromUnixTimeSeconds(c.seconds)
                && info.IsPersonalAccount == (c.tenant == GraphTokenInfo.PersonalAccountTenantId)
                && info.IsGraphAudience == (c.audience is "https://graph.microsoft.com" or "00000003-0000-0000-c000-000000000000");
        });

        Assert.That(cases, Is.EqualTo(JwtRoundTripCases));
    }

    [Test]
    public async Task GraphErrorBodyParse_TruncatedNestedOrNonJsonBodies_NeverThrowsAndKnownFieldsSurvive()
    {
        var bodies = Gen.OneOf(
            BadInputGenerators.JsonText().Select(s => Encoding.UTF8.GetBytes(s)),
            BadInputGenerators.JsonText().Select(s => Encoding.Unicode.GetBytes(s)),
            ArbMap.Default.GeneratorFor<byte[]>().Select(b => b ?? []),
            Gen.Elements(BadInputGenerators.RealErrorBodies).Zip(Gen.Choose(0, 400)).Select(t => Encoding.UTF8.GetBytes(t.Item1)[..Math.Min(t.Item2, t.Item1.Length)]));
        var cases = await Run(ErrorBodyCases, bodies, bytes =>
        {
            var body = GraphErrorBody.Parse(bytes);
            return body is not null;
        });

        // The fallback is to what is known: whole real bodies still give their code.
        foreach (var sample in BadInputGenerators.RealErrorBodies)
        {
            Assert.That(GraphErrorBody.Parse(Encoding.UTF8.GetBytes(sample)).Code, Is.Not.Null.And.Not.Empty, sample);
        }

        Assert.That(cases, Is.EqualTo(ErrorBodyCases));
    }

    [Test]
    public async Task FailureHandler_ArbitraryFailedResponses_OnlyTypedErrorsAndTheBodyStaysReadable()
    {
        var source = new FakeGraphTokenSource();
        var throwOnFailure = false;
        using var harness = new ChainHarness(source, o => o.ThrowOnAuthFailure = false);
        using var throwing = new ChainHarness(source);
        var gen =
            from status in Gen.Elements(HttpStatusCode.BadRequest, HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden)
            from header in BadInputGenerators.HeaderText().OrNull()
            from body in Gen.OneOf(BadInputGenerators.JsonText(), Gen.Elements(BadInputGenerators.RealErrorBodies))
            from mediaType in Gen.Elements("application/json", "text/html", "application/octet-stream", "application/problem+json", (string?)null)
            from throws in Gen.Elements(true, false)
            select (status, header, body, mediaType, throws);

        var cases = await RunAsync(FailureHandlerCases, gen, async c =>
        {
            var bytes = Encoding.UTF8.GetBytes(c.body);
            Func<HttpRequestMessage, int, HttpResponseMessage> respond = (_, _) =>
            {
                var response = new HttpResponseMessage(c.status) { Content = new ByteArrayContent(bytes) };
                if (c.mediaType is not null)
                {
                    response.Content.Headers.ContentType = new MediaTypeHeaderValue(c.mediaType);
                }

                if (c.header is not null)
                {
                    response.Headers.TryAddWithoutValidation("WWW-Authenticate", c.header);
                }

                return response;
            };
            throwOnFailure = c.throws;
            var target = throwOnFailure ? throwing : harness;
            target.Graph.Respond = respond;
            try
            {
                using var response = await target.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/users/x");
                var read = await response.Content.ReadAsByteArrayAsync();
                return read.AsSpan().SequenceEqual(bytes) && response.StatusCode == c.status;
            }
            catch (GraphAuthException ex)
            {
                return throwOnFailure && ex.Remediation.Length > 0 && Enum.IsDefined(ex.Cause);
            }
        });

        Assert.That(cases, Is.EqualTo(FailureHandlerCases));
    }

    [TestCase(true, HttpStatusCode.Forbidden)]
    [TestCase(false, HttpStatusCode.Forbidden)]
    [TestCase(false, HttpStatusCode.Unauthorized)]
    public async Task FailureHandler_HundredMegabyteStreamedBody_ReadsAPrefixAndTheCallerGetsEveryByte(bool knownLength, HttpStatusCode status)
    {
        const long size = 100L * 1024 * 1024;
        var streams = new List<GeneratedStream>();
        using var harness = new ChainHarness(new FakeGraphTokenSource(), o => o.ThrowOnAuthFailure = false);
        harness.Graph.Respond = (_, _) =>
        {
            var stream = new GeneratedStream(size);
            streams.Add(stream);
            var content = new StreamContent(stream);
            if (knownLength)
            {
                content.Headers.ContentLength = size;
            }

            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            return new HttpResponseMessage(status) { Content = content };
        };
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/users");
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);

        using var response = await harness.CreateClient().SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(Bound);
        var failure = response.GetGraphAuthFailure();
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[81920];
        long total = 0;
        int n;
        while ((n = await body.ReadAsync(buffer)) > 0)
        {
            total += n;
        }

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        await TestContext.Out.WriteLineAsync($"100 MB body ({status}, known length {knownLength}): read {total} bytes, {allocated / 1024 / 1024} MB allocated meanwhile");
        Assert.That(total, Is.EqualTo(size), "not one byte lost");
        Assert.That(failure, Is.Not.Null);
        Assert.That(allocated, Is.LessThan(32L * 1024 * 1024), "the body was streamed, never buffered whole");
        Assert.That(streams.Take(streams.Count - 1).All(s => s.Disposed), Is.True, "a replaced response's body was disposed");
    }

    [Test]
    public async Task FailureHandler_HundredMegabyteBodyWithTheCodeUpFront_TheCodeInTheReadPrefixIsKnown()
    {
        // The classification falls back to what is known: error.code sits in the first 60 bytes of the prefix read.
        using var harness = new ChainHarness(new FakeGraphTokenSource(), o => o.ThrowOnAuthFailure = false);
        harness.Graph.Respond = (_, _) => new HttpResponseMessage(HttpStatusCode.Forbidden) { Content = new StreamContent(new GeneratedStream(100L * 1024 * 1024)) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/users");

        using var response = await harness.CreateClient().SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(Bound);

        Assert.That(response.GetGraphAuthFailure()?.GraphErrorCode, Is.EqualTo("InvalidAuthenticationToken"));
    }

    [Test]
    public void GraphErrorBodyParse_PrefixCutInsideALongMessage_KeepsTheFieldsReadBeforeTheCut()
    {
        var whole = "{\"error\":{\"code\":\"Authorization_RequestDenied\",\"message\":\"" + new string('m', 100_000) + "\"}}";
        var prefix = Encoding.UTF8.GetBytes(whole)[..GraphAuthResilience.Diagnosis.GraphAuthFailureHandler.MaxDiagnosisBytes];

        Assert.That(GraphErrorBody.Parse(prefix).Code, Is.EqualTo("Authorization_RequestDenied"));
    }

    [Test]
    public async Task FailureHandler_HundredMegabyteBodyWhenThrowing_TypedErrorAndTheBodyIsDisposed()
    {
        var streams = new List<GeneratedStream>();
        using var harness = new ChainHarness(new FakeGraphTokenSource());
        harness.Graph.Respond = (_, _) =>
        {
            var stream = new GeneratedStream(100L * 1024 * 1024);
            streams.Add(stream);
            return new HttpResponseMessage(HttpStatusCode.Forbidden) { Content = new StreamContent(stream) };
        };
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/users");

        var ex = Assert.CatchAsync<GraphAuthException>(async () => await harness.CreateClient().SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(Bound));

        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.InvalidToken), "the code read from the prefix (InvalidAuthenticationToken) decides");
        Assert.That(ex.GraphErrorCode, Is.EqualTo("InvalidAuthenticationToken"));
        Assert.That(streams.Single().Disposed, Is.True);
        Assert.That(streams.Single().Produced, Is.LessThan(1024 * 1024), "only a prefix was read");
    }

    private static async Task<int> Run<T>(int count, Gen<T> gen, Func<T, bool> property)
    {
        var run = 0;
        var task = Task.Run(() => Check.One(
            FuzzSeed.Apply(Config.QuickThrowOnFailure).WithMaxTest(count).WithQuietOnSuccess(true).WithEndSize(200),
            Prop.ForAll(gen.ToArbitrary(), (T value) =>
            {
                Interlocked.Increment(ref run);
                return property(value);
            })));
        await task.WaitAsync(Bound); // a hang fails the test
        await TestContext.Out.WriteLineAsync($"{TestContext.CurrentContext.Test.MethodName}: {run} generated cases, 0 failures");
        return run;
    }

    private static async Task<int> RunAsync<T>(int count, Gen<T> gen, Func<T, Task<bool>> property)
    {
        var run = 0;
        var task = Task.Run(() => Check.One(
            FuzzSeed.Apply(Config.QuickThrowOnFailure).WithMaxTest(count).WithQuietOnSuccess(true).WithEndSize(100),
            Prop.ForAll(gen.ToArbitrary(), (T value) =>
            {
                Interlocked.Increment(ref run);
                return property(value);
            })));
        await task.WaitAsync(Bound);
        await TestContext.Out.WriteLineAsync($"{TestContext.CurrentContext.Test.MethodName}: {run} generated cases, 0 failures");
        return run;
    }

    private static bool IsJsonObject(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool JsonEquals(string a, string b)
    {
        using var x = JsonDocument.Parse(a);
        using var y = JsonDocument.Parse(b);
        return JsonElement.DeepEquals(x.RootElement, y.RootElement);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>A Graph-like error body of any length, produced as it is read: nothing is allocated up front.</summary>
    internal sealed class GeneratedStream(long length) : Stream
    {
        private static readonly byte[] Head = Encoding.UTF8.GetBytes("""{"error":{"code":"InvalidAuthenticationToken","message":" """.TrimEnd());
        private long _position;

        public bool Disposed { get; private set; }

        public long Produced => _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            ObjectDisposedException.ThrowIf(Disposed, this);
            var n = (int)Math.Min(buffer.Length, length - _position);
            for (var i = 0; i < n; i++)
            {
                var at = _position + i;
                buffer[i] = at < Head.Length ? Head[at] : at >= length - 3 ? (byte)"\"}}"[(int)(at - (length - 3))] : (byte)'a';
            }

            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}
