using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace GraphAuthResilience.Demo.Fleet;

/// <summary>
/// A real <c>redis-server</c> (Debian package <c>redis-server</c>) on a free loopback port, in a temporary folder,
/// without persistence. Can be stopped and started again on the same port (an outage); killed on dispose.
/// </summary>
internal sealed class RedisServer : IAsyncDisposable
{
    public const string InstallHint = "redis-server is not on PATH; install it with `apt-get install redis-server` (Debian/Ubuntu) to run the fleet tests and demo.";

    private readonly string _executable;
    private readonly string _directory;
    private Process? _process;

    private RedisServer(string executable, int port)
    {
        _executable = executable;
        Port = port;
        _directory = Directory.CreateTempSubdirectory("graph-auth-redis-").FullName;
    }

    public int Port { get; }

    public string Configuration => $"127.0.0.1:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Finds <c>redis-server</c>: <c>GRAPHAUTH_REDIS_SERVER</c> if set (a path; a wrong one finds nothing),
    /// else on PATH or in the usual folders; null when there is none.</summary>
    public static string? FindExecutable()
    {
        if (Environment.GetEnvironmentVariable("GRAPHAUTH_REDIS_SERVER") is { Length: > 0 } configured)
        {
            return File.Exists(configured) ? configured : null;
        }

        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                     .Concat(["/usr/bin", "/usr/sbin", "/usr/local/bin"]))
        {
            var candidate = Path.Combine(folder, "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Starts a server on a free loopback port, or returns null when redis-server is not installed.</summary>
    public static async Task<RedisServer?> TryStartAsync(CancellationToken cancellationToken = default)
    {
        var executable = FindExecutable();
        if (executable is null)
        {
            return null;
        }

        var server = new RedisServer(executable, FreePort());
        await server.StartAsync(cancellationToken);
        return server;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts (or starts again, on the same port) and waits until it answers PING.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (IsRunning)
        {
            return;
        }

        var info = new ProcessStartInfo(_executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _directory,
        };
        foreach (var argument in new[]
                 {
                     "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                     "--save", string.Empty, "--appendonly", "no", "--dir", _directory, "--daemonize", "no",
                     "--protected-mode", "yes", "--loglevel", "warning",
                 })
        {
            info.ArgumentList.Add(argument);
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with code {_process.ExitCode} at start (port {Port}).");
            }

            if (await PingAsync(cancellationToken))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"redis-server did not answer PING on port {Port} within 15 seconds.");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>Stops the server (SIGKILL: an outage, not a clean shutdown) and waits until it is gone.</summary>
    public async Task StopAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync();
        process.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    private async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port, cancellationToken);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken);
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer, cancellationToken);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
