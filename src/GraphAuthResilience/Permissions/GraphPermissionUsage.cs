using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using GraphAuthResilience.Diagnosis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GraphAuthResilience.Permissions;

/// <summary>
/// The recorder behind <see cref="IGraphPermissionUsage"/> (one per DI container, shared by every client that records):
/// distinct operations in a bounded dictionary, each with its own counters; request shapes seen before in an
/// <see cref="OperationPathIndex"/>; what each token held, read once per token value. A call is counted on the
/// sending thread as it is sent (a refusal when its answer comes): like one of the thread's last few requests
/// (<see cref="RecentOperations"/>), it costs one comparison of the URI's start and one counter increment; else it walks
/// the path in place. No allocation once the operation and the token were seen.
/// </summary>
internal sealed class GraphPermissionUsage : IGraphPermissionUsage
{
    /// <summary>The most distinct operations (method + template) recorded; calls of others are counted, not recorded.</summary>
    internal const int DefaultMaxOperations = 1024;

    /// <summary>The most distinct permission names kept per kind of token (a token may carry names the catalog does not know).</summary>
    private const int MaxHeldNames = 4096;

    /// <summary>The most distinct application ids kept (for the removal commands).</summary>
    private const int MaxAppIds = 8;

    private readonly GraphPermissionCatalog _catalog;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, RecordedOperation> _operations = new(StringComparer.Ordinal);
    private OperationPathIndex _index;
    private readonly ConditionalWeakTable<string, TokenPermissions> _tokens = new();
    private readonly ConcurrentDictionary<string, byte> _heldDelegated = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, byte> _heldApplication = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, byte> _appIds = new(StringComparer.OrdinalIgnoreCase);
    private readonly GraphTokenInfo?[] _firstTokens = new GraphTokenInfo?[2];
    private long _unknownCalls;
    private long _droppedCalls;
    private long _unreadableTokenCalls;
    private long _unreadBatches;
    private long _failures;
    private int _boundLogged;
    private int _failureLogged;

    public GraphPermissionUsage(ILoggerFactory? loggerFactory = null, int maxOperations = DefaultMaxOperations, GraphPermissionCatalog? catalog = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxOperations);
        MaxOperations = maxOperations;
        _catalog = catalog ?? GraphPermissionCatalog.Default;
        _logger = loggerFactory?.CreateLogger("GraphAuthResilience.PermissionUsage") ?? NullLogger.Instance;
        _index = new OperationPathIndex(maxOperations * 8);
    }

    public int MaxOperations { get; }

    /// <summary>Gets a number that changes when the operations are forgotten (<see cref="ForgetOperations"/>), so that no
    /// thread's <see cref="RecentOperations"/> outlives them.</summary>
    internal int Generation { get; private set; }

    /// <summary>Gets the number of calls of operations past <see cref="MaxOperations"/> (counted, not recorded).</summary>
    public long DroppedCalls => Interlocked.Read(ref _droppedCalls);

    /// <summary>Gets the number of times recording failed (the request went on as if nothing happened).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <inheritdoc />
    public GraphPermissionReport GetReport() => new(PermissionAnalyzer.Analyze(Snapshot()));

    /// <summary>The permissions of a token, read once per token value (a repeated value costs a table lookup).</summary>
    /// <param name="token">The bearer token.</param>
    /// <returns>What it held; <see cref="TokenPermissions.IsReadable"/> is false when it is no readable JWT.</returns>
    public TokenPermissions TokenFor(string token)
    {
        if (_tokens.TryGetValue(token, out var known))
        {
            return known;
        }

        return _tokens.GetValue(token, Read);
    }

    /// <summary>Records one call of <paramref name="method"/> <paramref name="uri"/> as it is sent: the path matched to
    /// the catalog's operation (ids and query never kept), one counter incremented. A refusal is counted when its answer
    /// comes (<see cref="RecordDenied"/>).</summary>
    /// <param name="method">The request's method.</param>
    /// <param name="uri">The request URI.</param>
    /// <param name="token">What the token it carried held.</param>
    public void Record(string method, Uri uri, TokenPermissions token)
    {
        if (!token.IsReadable)
        {
            Interlocked.Increment(ref _unreadableTokenCalls);
            return;
        }

        var recent = RecentOperations.For(this);
        var operation = recent.Find(method, uri.OriginalString) ?? Match(method, uri, recent);
        operation?.Count(token.Scheme);
    }

    /// <summary>Records that Graph refused (401, 403) a call counted before by <see cref="Record"/>.</summary>
    /// <param name="method">The request's method.</param>
    /// <param name="uri">The request URI.</param>
    /// <param name="token">What the token it carried held.</param>
    public void RecordDenied(string method, Uri uri, TokenPermissions token)
    {
        if (token.IsReadable && Match(method, uri, remember: null) is { } operation)
        {
            operation.Deny(token.Scheme);
        }
    }

    /// <summary>The operation of a request, without the thread's recent operations: the index's walk, else the catalog.</summary>
    /// <param name="method">The request's method.</param>
    /// <param name="uri">The request URI.</param>
    /// <param name="remember">Where to keep what the walk found, if anywhere.</param>
    /// <returns>The operation; <see langword="null"/> when the catalog does not know it or the bound is reached.</returns>
    [MethodImpl(MethodImplOptions.NoInlining)] // the walk stays out of the hot path's frame
    internal RecordedOperation? Match(string method, Uri uri, RecentOperations? remember)
    {
        var text = uri.OriginalString;
        var (start, length) = OperationPathIndex.PathRange(text);
        var path = text.AsSpan(start, length);
        if (Volatile.Read(ref _index).Find(method, path, out var lastWildcard) is { } found)
        {
            remember?.Remember(method, text, start, length, lastWildcard, found);
            return found;
        }

        return Resolve(method, uri.AbsolutePath, path);
    }

    /// <summary>Records one step of a <c>$batch</c>: its method and its URL relative to the version
    /// (<c>/users/{id}?$select=…</c> or <c>users/{id}</c>).</summary>
    public void RecordStep(string method, string relativeUrl, TokenPermissions token)
    {
        if (!token.IsReadable)
        {
            Interlocked.Increment(ref _unreadableTokenCalls);
            return;
        }

        MatchStep(method, relativeUrl)?.Count(token.Scheme);
    }

    /// <summary>Records that Graph refused (401, 403) one step of a <c>$batch</c> counted before by <see cref="RecordStep"/>.</summary>
    /// <param name="method">The step's method.</param>
    /// <param name="relativeUrl">The step's URL relative to the version.</param>
    /// <param name="token">What the token the batch carried held.</param>
    public void RecordStepDenied(string method, string relativeUrl, TokenPermissions token)
    {
        if (token.IsReadable && MatchStep(method, relativeUrl) is { } operation)
        {
            operation.Deny(token.Scheme);
        }
    }

    /// <summary>The operation of a batch step: the index's walk, else the catalog.</summary>
    private RecordedOperation? MatchStep(string method, string relativeUrl)
    {
        var path = relativeUrl.StartsWith('/') ? relativeUrl : "/" + relativeUrl;
        var end = path.AsSpan().IndexOfAny('?', '#');
        var span = end < 0 ? path.AsSpan() : path.AsSpan(0, end);
        var upper = method.ToUpperInvariant();
        return Volatile.Read(ref _index).Find(upper, span) ?? Resolve(upper, span.ToString(), span);
    }

    /// <summary>Forgets every operation and shape (held permissions and counters of what was not recorded stay): for the
    /// benchmark of a first call, which needs an operation never seen before on every call.</summary>
    internal void ForgetOperations()
    {
        Generation++;
        _operations.Clear();
        Volatile.Write(ref _index, new OperationPathIndex(MaxOperations * 8));
    }

    /// <summary>Counts a <c>$batch</c> whose request body could not be read again (its steps are not recorded).</summary>
    public void BatchNotRead() => Interlocked.Increment(ref _unreadBatches);

    /// <summary>Counts a failure of the recording itself, logged once.</summary>
    public void RecordingFailed(Exception exception)
    {
        Interlocked.Increment(ref _failures);
        if (Interlocked.Exchange(ref _failureLogged, 1) == 0)
        {
            PermissionLog.RecordingFailed(_logger, exception.GetType().Name);
        }
    }

    private RecordedOperation? Resolve(string method, string absolutePath, ReadOnlySpan<char> path)
    {
        if (_catalog.Find(method, absolutePath) is not { } found)
        {
            Interlocked.Increment(ref _unknownCalls);
            return null;
        }

        var template = DisplayTemplate(path, found.PathTemplate);
        var key = found.Method + " " + template;
        if (!_operations.TryGetValue(key, out var operation))
        {
            if (_operations.Count >= MaxOperations)
            {
                Interlocked.Increment(ref _droppedCalls);
                if (Interlocked.Exchange(ref _boundLogged, 1) == 0)
                {
                    PermissionLog.OperationBoundReached(_logger, MaxOperations);
                }

                return null;
            }

            operation = _operations.GetOrAdd(key, _ => new RecordedOperation(found, template));
        }

        Volatile.Read(ref _index).TryAdd(method, path, operation.Template, operation);
        return operation;
    }

    /// <summary>The template the report shows: the catalog's, except that a <c>/me/…</c> call the catalog found only as
    /// <c>/users/{id}/…</c> (delegated permissions then) keeps its <c>/me</c>, so it is never mixed with app-only calls
    /// of <c>/users/{id}/…</c>.</summary>
    private static string DisplayTemplate(ReadOnlySpan<char> path, string template)
    {
        var rest = path.TrimStart('/');
        var slash = rest.IndexOf('/');
        var first = slash < 0 ? rest : rest[..slash];
        if (first.Equals("v1.0", StringComparison.OrdinalIgnoreCase) || first.Equals("beta", StringComparison.OrdinalIgnoreCase))
        {
            rest = slash < 0 ? [] : rest[(slash + 1)..];
        }

        const string Users = "/users/{id}";
        return (rest.Equals("me", StringComparison.OrdinalIgnoreCase) || rest.StartsWith("me/", StringComparison.OrdinalIgnoreCase))
            && template.StartsWith(Users, StringComparison.OrdinalIgnoreCase)
            ? "/me" + template[Users.Length..]
            : template;
    }

    private TokenPermissions Read(string token)
    {
        if (!GraphTokenInfo.TryParse(token, out var info))
        {
            return new TokenPermissions(token, GraphPermissionScheme.DelegatedWork, [], null, readable: false);
        }

        var scheme = GraphOperationPermissions.SchemeOf(info);
        var held = info.IsAppOnly ? info.Roles : info.Scopes;
        var names = scheme == GraphPermissionScheme.Application ? _heldApplication : _heldDelegated;
        foreach (var name in held)
        {
            if (names.Count < MaxHeldNames)
            {
                names.TryAdd(name, 0);
            }
        }

        if (info.AppId is { Length: > 0 } appId && _appIds.Count < MaxAppIds)
        {
            _appIds.TryAdd(appId, 0);
        }

        // The first token of each kind says the tenant, client and cloud the grant and removal commands are for.
        Interlocked.CompareExchange(ref _firstTokens[scheme == GraphPermissionScheme.Application ? 1 : 0], info, null);

        return new TokenPermissions(token, scheme, held, info.AppId, readable: true);
    }

    private UsageSnapshot Snapshot() => new(
        [.. _operations.Values],
        [.. _heldDelegated.Keys],
        [.. _heldApplication.Keys],
        [.. _appIds.Keys],
        Volatile.Read(ref _firstTokens[0]),
        Volatile.Read(ref _firstTokens[1]),
        Interlocked.Read(ref _unknownCalls),
        Interlocked.Read(ref _droppedCalls),
        Interlocked.Read(ref _unreadableTokenCalls),
        Interlocked.Read(ref _unreadBatches),
        Interlocked.Read(ref _failures),
        MaxOperations);
}
