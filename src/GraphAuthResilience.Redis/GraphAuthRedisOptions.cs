using StackExchange.Redis;

namespace GraphAuthResilience.Redis;

/// <summary>
/// How the instances of a service (a fleet) share Graph tokens through Redis. Every instance of one fleet uses the
/// same <see cref="KeyPrefix"/> and the same Redis; Redis being down or slow never fails a request (the chain then
/// acquires tokens in-process, as without Redis).
/// </summary>
public sealed class GraphAuthRedisOptions
{
    /// <summary>Gets or sets the StackExchange.Redis configuration string, for example <c>redis.internal:6379,ssl=true,password=...</c>.</summary>
    /// <value>Required. Never logged.</value>
    public string? Configuration { get; set; }

    /// <summary>Gets or sets a callback that adjusts the connection settings parsed from <see cref="Configuration"/>
    /// (TLS certificates, a credential provider...). It runs after this package has applied its own settings
    /// (no abort on connect failure, fail-fast backlog, timeouts from <see cref="OperationTimeout"/>).</summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public Action<ConfigurationOptions>? ConfigureConnection { get; set; }

    /// <summary>Gets or sets the prefix of every key and channel this package uses; one fleet, one prefix.</summary>
    /// <value>Defaults to <c>graph-auth</c>.</value>
    public string KeyPrefix { get; set; } = "graph-auth";

    /// <summary>Gets or sets how long one Redis operation (or the first connection) may take before this instance
    /// treats Redis as unavailable and falls back to the in-process path.</summary>
    /// <value>Defaults to 1 second. Between 1 millisecond and 30 seconds. The first connection is waited for at
    /// least 2 seconds.</value>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets how long Redis is left alone after a failure before it is tried again; the outage is
    /// logged once, and its end once.</summary>
    /// <value>Defaults to 2 seconds. Between zero and 5 minutes.</value>
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Gets or sets how long the lease around a token acquisition lives (<c>SET NX PX</c>): one instance
    /// acquires, the others wait for its result. An instance that dies holding the lease blocks the others at most
    /// this long.</summary>
    /// <value>Defaults to 10 seconds. Between 100 milliseconds and 5 minutes.</value>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets the longest an instance waits for another instance's acquisition before it acquires a
    /// token of its own.</summary>
    /// <value>Defaults to 10 seconds. Between zero and 5 minutes.</value>
    public TimeSpan MaxLeaseWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets the Data Protection purpose under which MSAL's shared token cache is encrypted in Redis.
    /// Instances decrypt each other's entries only if they share Data Protection keys and application name.</summary>
    /// <value>Defaults to <c>GraphAuthResilience.Redis.TokenCache</c>.</value>
    public string ProtectionPurpose { get; set; } = "GraphAuthResilience.Redis.TokenCache";

    /// <summary>How often a waiting instance looks at the lease. Internal: tests only.</summary>
    internal TimeSpan LeasePollInterval { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>How long the outcome of an acquisition is kept for the instances that waited for it.</summary>
    internal TimeSpan OutcomeLifetime { get; set; } = TimeSpan.FromSeconds(5);
}
