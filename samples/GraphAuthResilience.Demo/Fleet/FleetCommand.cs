using GraphAuthResilience.Testing;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace GraphAuthResilience.Demo.Fleet;

/// <summary>
/// <c>fleet</c>: N instance processes (this executable, hidden sub-command <c>fleet-instance</c>) share one Redis
/// (started here unless <c>--redis host:port</c> is given), one fake token endpoint and one fake Graph, both loopback
/// HTTP servers on 127.0.0.1. Prints one line per check; exits 1 if a check fails.
/// </summary>
internal static class FleetCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var instances = 8;
        string? redisAddress = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--instances" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var n) && n is >= 2 and <= 32:
                    instances = n;
                    i++;
                    break;
                case "--redis" when i + 1 < args.Length:
                    redisAddress = args[++i];
                    break;
                default:
                    error.WriteLine($"fleet: unknown or invalid argument '{args[i]}'. Usage: fleet [--instances 2..32] [--redis host:port]");
                    return 2;
            }
        }

        await using var startedRedis = redisAddress is null ? await RedisServer.TryStartAsync() : null;
        if (redisAddress is null && startedRedis is null)
        {
            error.WriteLine(RedisServer.InstallHint + " Or pass --redis host:port.");
            return 2;
        }

        redisAddress ??= startedRedis!.Configuration;
        output.WriteLine(startedRedis is null
            ? $"redis: using {redisAddress}"
            : $"redis: started redis-server on {redisAddress} (temp folder, no persistence)");

        var tokenEndpoint = new FakeEntraTokenEndpoint { Latency = TimeSpan.FromMilliseconds(50) };
        // The one Graph a fleet calls: 200 for a token it accepts, Graph's CAE claims challenge for a revoked one, a plain
        // 401 without a token.
        var graph = new FakeGraph { RequiresToken = true, RecordsRequests = false };
        using var tokenServer = new LoopbackHttpServer(tokenEndpoint);
        using var graphServer = new LoopbackHttpServer(graph);
        var keys = Directory.CreateTempSubdirectory("graph-auth-fleet-keys-").FullName;
        FleetSettings.CreateSharedKey(keys);
        var prefix = "fleet-demo-" + Guid.NewGuid().ToString("N")[..8];
        output.WriteLine($"fleet: {instances} instance processes, token endpoint {tokenServer.Address}, Graph {graphServer.Address}");

        var children = new List<InstanceProcess>();
        var failures = 0;
        void Check(bool ok, string line)
        {
            output.WriteLine((ok ? "ok    " : "FAIL  ") + line);
            if (!ok)
            {
                failures++;
            }
        }

        try
        {
            for (var i = 0; i < instances; i++)
            {
                children.Add(InstanceProcess.Start(i, redisAddress, prefix, keys, tokenServer.Address, graphServer.Address));
            }

            await Task.WhenAll(children.Select(c => c.ExpectAsync("ready")));

            // 0. The news channel: an instance hears only what is published once its subscription is in place, so
            // before anything is shared instance 1 publishes probes (hashes no token has) until each other heard one.
            var others = children.Skip(1).ToList();
            var subscribed = await WaitAsync(async () =>
            {
                await children[0].ProbeAsync(Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant());
                var counts = await Task.WhenAll(others.Select(c => c.HeardCountAsync()));
                return counts.Count(n => n >= 1);
            }, others.Count);
            Check(subscribed == others.Count, $"news channel: {subscribed} of {others.Count} other instances subscribed (each heard a probe hash)");

            // 1. Cold start: every instance at once, 100 concurrent requests each.
            var cold = await Task.WhenAll(children.Select(c => c.LoadAsync(100)));
            Check(cold.All(r => r.Failed == 0), $"cold start: {instances} instances x 100 concurrent requests: {cold.Sum(r => r.Ok)} succeeded, {cold.Sum(r => r.Failed)} failed");
            Check(tokenEndpoint.Posts == 1, $"token requests: {tokenEndpoint.Posts} (cold start of all {instances} instances; one per instance without Redis would be {instances})");
            var first = tokenEndpoint.IssuedTokens.Last();
            Check(cold.All(r => r.TokenHashes.SequenceEqual([Hash(first)])), "every instance sent the same token");

            // 2. Revocation: Graph now rejects that token; one instance meets the claims challenge.
            graph.Revoke(first);
            var postsBefore = tokenEndpoint.Posts;
            var one = await children[0].LoadAsync(1);
            var fresh = tokenEndpoint.IssuedTokens.Last();
            Check(one.Failed == 0 && one.TokenHashes.Contains(Hash(fresh)), "revocation: instance 1 met Graph's claims challenge with a new token and its request succeeded");

            var revoked = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(first))).ToLowerInvariant();
            var heard = await WaitAsync(async () => (await Task.WhenAll(others.Select(c => c.HeardAsync(revoked)))).Count(h => h), others.Count);
            Check(heard == others.Count, $"news: {heard} of {others.Count} other instances heard of the rejected token (its hash, over Redis pub/sub)");

            var after = await Task.WhenAll(others.Select(c => c.LoadAsync(20)));
            var carried = after.Count(r => r.TokenHashes.SequenceEqual([Hash(fresh)]));
            Check(after.All(r => r.Failed == 0) && carried == others.Count,
                $"after revocation: {carried} of {others.Count} other instances sent only the new token, {after.Sum(r => r.Failed)} requests failed");
            Check(tokenEndpoint.Posts - postsBefore == 1 && tokenEndpoint.PostsWithClaims == 1,
                $"token requests after revocation: {tokenEndpoint.Posts - postsBefore} (claims acquisitions: {tokenEndpoint.PostsWithClaims}; without the fleet: {instances})");
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or TimeoutException)
        {
            Check(false, $"the fleet did not run to the end: {ex.GetType().Name}: {ex.Message}");
        }
        finally
        {
            await Task.WhenAll(children.Select(c => c.StopAsync()));
            try
            {
                Directory.Delete(keys, recursive: true);
            }
            catch (IOException)
            {
                // A temp folder left behind is harmless.
            }
        }

        output.WriteLine(failures == 0 ? "fleet: all checks passed" : $"fleet: {failures} check(s) failed");
        return failures == 0 ? 0 : 1;
    }

    /// <summary>The first 12 hex digits of a token's SHA-256: enough to compare, never the token.</summary>
    internal static string Hash(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)))[..12].ToLowerInvariant();

    private static async Task<int> WaitAsync(Func<Task<int>> count, int wanted)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var n = await count();
            if (n >= wanted || DateTime.UtcNow > deadline)
            {
                return n;
            }

            await Task.Delay(50);
        }
    }

    internal sealed record LoadResult(int Ok, int Failed, IReadOnlyList<string> TokenHashes);

    /// <summary>One instance process, driven line by line over stdin/stdout.</summary>
    private sealed class InstanceProcess
    {
        private readonly Process _process;
        private readonly int _index;

        private InstanceProcess(Process process, int index)
        {
            _process = process;
            _index = index;
        }

        public static InstanceProcess Start(int index, string redis, string prefix, string keys, Uri tokenEndpoint, Uri graph)
        {
            var demo = typeof(FleetCommand).Assembly.Location;
            var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[] { demo, "fleet-instance", "--redis", redis, "--prefix", prefix, "--keys", keys, "--token-endpoint", tokenEndpoint.ToString(), "--graph", graph.ToString() })
            {
                info.ArgumentList.Add(argument);
            }

            var process = Process.Start(info) ?? throw new InvalidOperationException("An instance process did not start.");
            process.ErrorDataReceived += (_, _) => { };
            process.BeginErrorReadLine();
            return new InstanceProcess(process, index);
        }

        public async Task<string> ExpectAsync(string prefix)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (true)
            {
                var line = await _process.StandardOutput.ReadLineAsync(timeout.Token)
                    ?? throw new IOException($"instance {_index + 1} exited (code {(_process.HasExited ? _process.ExitCode : -1)}) before answering '{prefix}'.");
                if (line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return line;
                }
            }
        }

        public async Task<LoadResult> LoadAsync(int count)
        {
            await _process.StandardInput.WriteLineAsync($"load {count}");
            await _process.StandardInput.FlushAsync();
            var parts = (await ExpectAsync("done ")).Split(' ');
            return new LoadResult(
                int.Parse(parts[1], CultureInfo.InvariantCulture),
                int.Parse(parts[2], CultureInfo.InvariantCulture),
                parts.Length > 3 && parts[3].Length > 0 ? parts[3].Split(',') : []);
        }

        /// <summary>Gets how many distinct hashes this instance heard of from the others.</summary>
        public async Task<long> HeardCountAsync()
        {
            await _process.StandardInput.WriteLineAsync("heard");
            await _process.StandardInput.FlushAsync();
            return long.Parse((await ExpectAsync("heard ")).Split(' ')[1], CultureInfo.InvariantCulture);
        }

        /// <summary>Gets whether this instance heard of this hash (its chain has dropped the token by then: the chain
        /// subscribed first, and callbacks run in order).</summary>
        public async Task<bool> HeardAsync(string hash)
        {
            await _process.StandardInput.WriteLineAsync("heard " + hash);
            await _process.StandardInput.FlushAsync();
            return (await ExpectAsync("heard ")).Split(' ')[1] == "1";
        }

        /// <summary>Has this instance publish <paramref name="hash"/> to the others.</summary>
        public async Task ProbeAsync(string hash)
        {
            await _process.StandardInput.WriteLineAsync("probe " + hash);
            await _process.StandardInput.FlushAsync();
            await ExpectAsync("probed");
        }

        public async Task StopAsync()
        {
            try
            {
                if (!_process.HasExited)
                {
                    await _process.StandardInput.WriteLineAsync("exit");
                    await _process.StandardInput.FlushAsync();
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                    await _process.WaitForExitAsync(timeout.Token);
                }
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException)
            {
                _process.Kill(entireProcessTree: true);
            }
            finally
            {
                _process.Dispose();
            }
        }
    }
}

/// <summary><c>fleet-instance</c> (hidden): one instance of the fleet, driven by <see cref="FleetCommand"/> over stdin.</summary>
internal static class FleetInstanceCommand
{
    public static async Task<int> RunAsync(string[] args, TextReader input, TextWriter output)
    {
        string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        var tokenEndpoint = new Uri(Arg("--token-endpoint") ?? throw new ArgumentException("--token-endpoint is required."));
        var graph = new Uri(Arg("--graph") ?? throw new ArgumentException("--graph is required."));
        var settings = new FleetSettings(
            Arg("--redis") ?? throw new ArgumentException("--redis is required."),
            Arg("--prefix") ?? throw new ArgumentException("--prefix is required."),
            Arg("--keys") ?? throw new ArgumentException("--keys is required."),
            () => new LoopbackMsalHttpClientFactory(tokenEndpoint),
            () => new LoopbackRedirectHandler(graph));
        var msal = new LoopbackMsalHttpClientFactory(tokenEndpoint);
        await using var instance = new FleetInstance(settings with { TokenEndpoint = () => msal });
        var heard = new System.Collections.Concurrent.ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        var channel = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
            .GetRequiredService<IGraphTokenRejectionChannel>(instance.Services);
        using var news = channel.Subscribe(hash => heard.TryAdd(hash, 0));
        output.WriteLine("ready");
        output.Flush();

        while (await input.ReadLineAsync() is { } line)
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            switch (parts.FirstOrDefault())
            {
                case "load":
                    instance.SentTokens.Clear();
                    var ok = await instance.LoadAsync(int.Parse(parts[1], CultureInfo.InvariantCulture));
                    var hashes = string.Join(',', instance.SentTokens.Keys.Select(FleetCommand.Hash).Order(StringComparer.Ordinal));
                    output.WriteLine($"done {ok} {int.Parse(parts[1], CultureInfo.InvariantCulture) - ok} {hashes}");
                    break;
                case "heard" when parts.Length > 1:
                    output.WriteLine($"heard {(heard.ContainsKey(parts[1]) ? 1 : 0)}");
                    break;
                case "heard":
                    output.WriteLine($"heard {heard.Count}");
                    break;
                case "probe":
                    await channel.PublishAsync(parts[1], CancellationToken.None);
                    output.WriteLine("probed");
                    break;
                case "exit":
                    return 0;
            }

            output.Flush();
        }

        return 0;
    }
}
