using System.Net;
using System.Text;
using BenchmarkDotNet.Attributes;
using GraphAuthResilience.Graph;

namespace GraphAuthResilience.Benchmarks;

/// <summary>
/// A hostile <c>WWW-Authenticate</c> made of many challenges in one value. .NET's typed collection
/// (<c>headers.WwwAuthenticate.Count</c>) parses it in quadratic time; the chain's reader (raw values, bounded)
/// must cost linear time or less. Each operation adds the header to a fresh response, as a real answer would be.
/// </summary>
[MemoryDiagnoser]
public class WwwAuthenticateBenchmarks
{
    private string _header = null!;

    /// <summary>Gets or sets the size of the header value, in KiB.</summary>
    [Params(64, 512)]
    public int KiB { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        const string Challenge = "Bearer realm=\"r\", error=\"invalid_token\", ";
        var builder = new StringBuilder((KiB * 1024) + Challenge.Length);
        while (builder.Length < KiB * 1024)
        {
            builder.Append(Challenge);
        }

        _header = builder.ToString(0, KiB * 1024);
    }

    /// <summary>What the chain does (challenge handler and failure handler each do this once).</summary>
    [Benchmark(Baseline = true)]
    public int ChainParser()
    {
        using var response = Create();
        return WwwAuthenticateParser.Parse(response.Headers).Count;
    }

    /// <summary>What reading the typed collection costs (MSAL's <c>WwwAuthenticateParameters</c> does this).</summary>
    [Benchmark]
    public int TypedCollectionCount()
    {
        using var response = Create();
        return response.Headers.WwwAuthenticate.Count;
    }

    private HttpResponseMessage Create()
    {
        var response = new HttpResponseMessage(HttpStatusCode.Unauthorized);
        response.Headers.TryAddWithoutValidation("WWW-Authenticate", _header);
        return response;
    }
}
