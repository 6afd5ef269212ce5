using System.Diagnostics;
using GraphAuthResilience.Telemetry;
using Microsoft.Extensions.Logging;

namespace GraphAuthResilience.Tokens;

/// <summary>
/// The token cache's logs, metrics and traces. Every method swallows what a logger, a <c>MeterListener</c> or an
/// <c>ActivityListener</c> throws: telemetry is never on the path that answers a request or completes an
/// acquisition, and cannot break either.
/// </summary>
/// <param name="logger">The cache's logger.</param>
/// <param name="metrics">The instruments of the cache's container, or <see cref="GraphAuthMetrics.Shared"/>.</param>
internal sealed class TokenCacheTelemetry(ILogger logger, GraphAuthMetrics metrics)
{
    public void Hit(string scopes)
    {
        try
        {
            metrics.CacheHit();
            Log.TokenCacheHit(logger, scopes);
        }
        catch (Exception)
        {
            // Telemetry must not fail the request.
        }
    }

    public void Joined(string scopes)
    {
        try
        {
            metrics.Waited();
            Log.TokenAcquisitionJoined(logger, scopes);
        }
        catch (Exception)
        {
            // Telemetry must not fail the request.
        }
    }

    public void RefreshAhead(string scopes)
    {
        try
        {
            Log.TokenRefreshAhead(logger, scopes);
        }
        catch (Exception)
        {
            // Telemetry must not fail the request.
        }
    }

    public void Evicted(int count, int limit)
    {
        try
        {
            Log.TokenCacheEvicted(logger, count, limit);
        }
        catch (Exception)
        {
            // Telemetry must not fail the request.
        }
    }

    public void TimedOut(string scopes, TimeSpan timeout)
    {
        try
        {
            Log.TokenAcquisitionTimedOut(logger, scopes, timeout);
        }
        catch (Exception)
        {
            // Telemetry must not fail the request.
        }
    }

    public void Abandoned(string scopes)
    {
        try
        {
            Log.TokenAcquisitionAbandoned(logger, scopes);
        }
        catch (Exception)
        {
            // Telemetry must not fail the request.
        }
    }

    public void RejectedElsewhere(int count)
    {
        try
        {
            Log.TokenRejectedElsewhere(logger, count);
        }
        catch (Exception)
        {
            // Telemetry must not fail the subscription.
        }
    }

    /// <summary>Starts the trace of one acquisition and logs it.</summary>
    /// <returns>The activity, or <see langword="null"/> when nobody listens or a listener threw.</returns>
    public Activity? AcquisitionStarted(string scopes, bool hasClaims, bool force)
    {
        Activity? activity = null;
        try
        {
            activity = GraphAuthTelemetry.ActivitySource.StartActivity("graph_auth.acquire_token");
            activity?.SetTag("graph_auth.scopes", scopes);
            activity?.SetTag("graph_auth.has_claims", hasClaims);
            activity?.SetTag(GraphAuthTelemetry.ForceRefreshTag, force);
            Log.TokenAcquisitionStarted(logger, scopes, hasClaims, force);
        }
        catch (Exception)
        {
            // Telemetry must not stop the acquisition.
        }

        return activity;
    }

    /// <summary>Records the end of an acquisition (after every waiter has been answered).</summary>
    public void AcquisitionEnded(
        Activity? activity, string scopes, bool force, bool background, TimeSpan elapsed, GraphAccessToken token,
        DateTimeOffset refreshAt, GraphAuthException? failure)
    {
        try
        {
            if (failure is null)
            {
                metrics.AcquisitionSucceeded(force, elapsed);
                Log.TokenAcquired(logger, scopes, token.ExpiresOn, refreshAt);
            }
            else
            {
                metrics.AcquisitionFailed(failure.Cause);
                activity?.SetStatus(ActivityStatusCode.Error, failure.Cause.ToString());
                if (background)
                {
                    Log.TokenRefreshAheadFailed(
                        logger, scopes, failure.Cause, failure.AadstsCode ?? "-", failure.TokenEndpointError ?? "-",
                        failure.InnerException?.GetType().Name ?? "-");
                }
                else
                {
                    Log.TokenAcquisitionFailed(logger, scopes, failure.Cause);
                }
            }
        }
        catch (Exception)
        {
            // Every waiter has its answer already.
        }

        EndActivity(activity);
    }

    /// <summary>Stops the acquisition's trace.</summary>
    public static void EndActivity(Activity? activity)
    {
        try
        {
            activity?.Dispose();
        }
        catch (Exception)
        {
            // A listener that throws on stop changes nothing either.
        }
    }
}
