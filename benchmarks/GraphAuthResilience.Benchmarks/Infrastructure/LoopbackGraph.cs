using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GraphAuthResilience.Benchmarks.Infrastructure;

/// <summary>
/// A stand-in for Graph on the wire: Kestrel on a free loopback port, over TLS with a certificate made here for
/// <c>graph.microsoft.com</c>, answering <c>GET /v1.0/users/{id}</c> with a small JSON user. Clients keep their
/// <c>https://graph.microsoft.com/…</c> URIs (so the chain's host policy treats them as Graph) and reach this server
/// through <see cref="CreateHandler"/>, whose connect callback dials the loopback port and whose TLS check accepts this
/// one certificate only. Nothing leaves the machine.
/// </summary>
internal sealed class LoopbackGraph : IAsyncDisposable
{
    private const string Host = "graph.microsoft.com";
    private readonly WebApplication _app;
    private readonly X509Certificate2 _certificate;

    private readonly StrongBox<long> _authorized;

    private LoopbackGraph(WebApplication app, X509Certificate2 certificate, int port, StrongBox<long> authorized)
    {
        _app = app;
        _certificate = certificate;
        _authorized = authorized;
        Port = port;
    }

    /// <summary>Gets the loopback port the server listens on.</summary>
    public int Port { get; }

    /// <summary>Gets how many requests carried a bearer token.</summary>
    public long Authorized => Interlocked.Read(ref _authorized.Value);

    /// <summary>Starts a server.</summary>
    /// <returns>The running server.</returns>
    public static async Task<LoopbackGraph> StartAsync()
    {
        var certificate = CreateCertificate();
        var authorized = new StrongBox<long>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        var app = builder.Build();
        app.MapGet("/v1.0/users/{id}", (HttpContext context, string id) =>
        {
            if (context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref authorized.Value);
            }

            return Results.Text($$"""{"id":"{{id}}","displayName":"Adele Vance"}""", "application/json");
        });
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new LoopbackGraph(app, certificate, new Uri(address).Port, authorized);
    }

    /// <summary>A primary handler that sends every request for <c>graph.microsoft.com</c> to this server.</summary>
    /// <returns>The handler.</returns>
    public SocketsHttpHandler CreateHandler()
    {
        var thumbprint = _certificate.GetCertHashString(HashAlgorithmName.SHA256);
        return new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                if (!string.Equals(context.DnsEndPoint.Host, Host, StringComparison.OrdinalIgnoreCase))
                {
                    throw new HttpRequestException($"the loopback stand-in serves {Host} only, not {context.DnsEndPoint.Host}");
                }

                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Port), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is not null && string.Equals(certificate.GetCertHashString(HashAlgorithmName.SHA256), thumbprint, StringComparison.Ordinal),
            },
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _certificate.Dispose();
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={Host}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(Host);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

        // Kestrel on Linux needs the key in a form it can hand to the TLS stack: load it back from PKCS#12.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), password: null);
    }
}
