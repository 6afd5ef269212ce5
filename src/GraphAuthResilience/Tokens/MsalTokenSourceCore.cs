using GraphAuthResilience.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Identity.Client;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace GraphAuthResilience.Tokens;

/// <summary>Runs one MSAL call through the retry pipeline and maps its failures.</summary>
internal sealed class MsalTokenSourceCore : IGraphTokenSource
{
    private readonly Func<GraphTokenRequest, CancellationToken, Task<AuthenticationResult>>? _acquire;
    private readonly ResiliencePipeline _pipeline;
    private readonly ILogger _logger;

    public MsalTokenSourceCore(
        MsalTokenSourceOptions options, Func<GraphTokenRequest, CancellationToken, Task<AuthenticationResult>>? acquire = null,
        string name = "MSAL", TokenSourceTenants? tenants = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Name = name;
        Tenants = tenants;
        MsalTokenSourceOptionsValidator.ThrowIfInvalid(options);
        _acquire = acquire;
        _logger = options.LoggerFactory?.CreateLogger("GraphAuthResilience.MsalTokenSource") ?? NullLogger.Instance;
        _pipeline = BuildPipeline(options, _logger);
    }

    /// <summary>Gets how failures name this source (the MSAL flow).</summary>
    public string Name { get; }

    /// <summary>Gets the application's own tenant and client id, for telling a customer tenant that has not onboarded
    /// apart from a misconfigured app; <see langword="null"/> when unknown.</summary>
    public TokenSourceTenants? Tenants { get; }

    public ValueTask<GraphAccessToken> GetTokenAsync(GraphTokenRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var acquire = _acquire ?? throw new InvalidOperationException("This MSAL source runs attempts given to RunAsync only.");
        return RunAsync(request, ct => acquire(request, ct), cancellationToken);
    }

    /// <summary>Runs <paramref name="attempt"/> through the retry pipeline (each retry calls it again) and maps failures.</summary>
    public async ValueTask<GraphAccessToken> RunAsync(
        GraphTokenRequest request, Func<CancellationToken, Task<AuthenticationResult>> attempt, CancellationToken cancellationToken)
    {
        try
        {
            var result = await _pipeline.ExecuteAsync(
                static async (run, ct) => await run(ct).ConfigureAwait(false),
                attempt,
                cancellationToken).ConfigureAwait(false);
            GraphAuthTelemetry.TokenEndpoint(result.AuthenticationResultMetadata?.TokenEndpoint);
            return new GraphAccessToken(result.AccessToken, result.ExpiresOn)
            {
                RefreshOn = result.AuthenticationResultMetadata?.RefreshOn,
            };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not GraphAuthException)
        {
            var mapped = TokenSourceErrors.Map(ex, request.Scopes, request.Claims, tenant: Tenants?.For(request.TenantId));
            Log.MsalAcquisitionFailed(_logger, mapped.Cause, mapped.TokenEndpointError ?? ex.GetType().Name, mapped.AadstsCode ?? "-");
            throw mapped;
        }
    }

    internal static bool IsTransient(Exception exception) => exception switch
    {
        MsalUiRequiredException => false,
        MsalServiceException service => service.IsRetryable || service.StatusCode is 408 or 429 or >= 500,
        MsalClientException client => client.ErrorCode is MsalError.RequestTimeout or "service_not_available",
        TimeoutRejectedException => true,
        HttpRequestException => true,
        _ => false,
    };

    private static ResiliencePipeline BuildPipeline(MsalTokenSourceOptions options, ILogger logger)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = options.TimeProvider };
        if (options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelay,
                MaxDelay = options.MaxRetryAfter,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is { } ex && IsTransient(ex) && !TooLongRetryAfter(ex, options)),
                DelayGenerator = args => ValueTask.FromResult(WithThrottleMargin(RetryAfter(args.Outcome.Exception, options.TimeProvider))),
                OnRetry = args =>
                {
                    var ex = args.Outcome.Exception;
                    Log.TokenEndpointRetry(
                        logger,
                        args.AttemptNumber + 1,
                        ex switch { MsalException m => m.ErrorCode, null => "none", _ => ex.GetType().Name },
                        ex is MsalServiceException s ? s.StatusCode : 0,
                        args.RetryDelay);
                    return default;
                },
            });
        }

        builder.AddTimeout(options.AttemptTimeout);
        return builder.Build();
    }

    private static bool TooLongRetryAfter(Exception ex, MsalTokenSourceOptions options) =>
        RetryAfter(ex, options.TimeProvider) is { } delay && delay > options.MaxRetryAfter;

    /// <summary>MSAL refuses identical requests locally until Retry-After has passed on the wall clock; a timer that
    /// fires a hair early would spend the retry on MSAL's own throttling error. Wait a little longer.</summary>
    internal static TimeSpan? WithThrottleMargin(TimeSpan? retryAfter) =>
        retryAfter is { } delay ? delay + TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(250).Ticks, delay.Ticks / 10)) : null;

    private static TimeSpan? RetryAfter(Exception? exception, TimeProvider time)
    {
        if (exception is not MsalServiceException { Headers.RetryAfter: { } retryAfter })
        {
            return null;
        }

        if (retryAfter.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (retryAfter.Date is { } date)
        {
            var wait = date - time.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }
}
