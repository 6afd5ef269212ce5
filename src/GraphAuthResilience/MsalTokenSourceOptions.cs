using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;

namespace GraphAuthResilience;

/// <summary>How an MSAL-backed <see cref="IGraphTokenSource"/> retries transient token-endpoint failures.</summary>
/// <remarks>Checked, as <see cref="GraphAuthOptions"/> is, by a validator generated from the <c>[Range]</c> and
/// <c>[Required]</c> attributes below when a source is made from them: an invalid value throws
/// <see cref="Microsoft.Extensions.Options.OptionsValidationException"/> naming the setting.</remarks>
public sealed class MsalTokenSourceOptions
{
    /// <summary>Gets or sets how many times a transient failure (5xx, 429, 408, <c>temporarily_unavailable</c>,
    /// a timed-out attempt) is retried.</summary>
    /// <value>Defaults to 3. Between 0 and 10.</value>
    [Range(0, 10)]
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>Gets or sets the base delay of the exponential back-off when the endpoint sent no Retry-After.</summary>
    /// <value>Defaults to 500 milliseconds. Between zero and one hour.</value>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Read at build time by the options source generator (MsalTokenSourceOptionsValidator), which emits its own TimeSpan comparison; nothing reflects on it at run time.")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets or sets the longest Retry-After that is honoured; a longer one ends the retries.</summary>
    /// <value>Defaults to 60 seconds. Between zero and one day.</value>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Read at build time by the options source generator (MsalTokenSourceOptionsValidator), which emits its own TimeSpan comparison; nothing reflects on it at run time.")]
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets how long one attempt may take before it is abandoned and retried.</summary>
    /// <value>Defaults to 30 seconds. Between 1 millisecond and one hour.</value>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Read at build time by the options source generator (MsalTokenSourceOptionsValidator), which emits its own TimeSpan comparison; nothing reflects on it at run time.")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the clock for back-off and timeouts.</summary>
    /// <value>Defaults to <see cref="TimeProvider.System"/>.</value>
    [Required]
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets the logger factory for retry and failure messages.</summary>
    /// <value>Defaults to <see langword="null"/>: nothing is logged.</value>
    public ILoggerFactory? LoggerFactory { get; set; }
}
