using System.Net;
using System.Text.RegularExpressions;
using Azure;
using Azure.Core;
using Azure.Identity;

namespace GraphAuthResilience.Azure;

/// <summary>Calls a <see cref="TokenCredential"/> with a CAE-enabled <see cref="TokenRequestContext"/> and maps its failures.</summary>
internal sealed partial class TokenCredentialSource(TokenCredential credential) : IGraphTokenSource
{
    /// <summary>How much of each exception message is read: a credential names itself, and the AADSTS number stands,
    /// at the start (the core reads no more than this of an error text either).</summary>
    private const int MaxHeadLength = 4096;

    private readonly string _credentialName = credential.GetType().Name;

    public async ValueTask<GraphAccessToken> GetTokenAsync(GraphTokenRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var context = new TokenRequestContext(
            [.. request.Scopes],
            parentRequestId: null,
            claims: request.Claims,
            tenantId: request.TenantId,
            isCaeEnabled: true);
        AccessToken token;
        try
        {
            token = await credential.GetTokenAsync(context, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not GraphAuthException)
        {
            throw Map(ex, request);
        }

        if (string.IsNullOrWhiteSpace(token.Token) || token.Token.Any(char.IsControl))
        {
            // Refused here, where the credential's name is known; never attached to a request.
            throw GraphAuthException.Create(new GraphAuthFailureDetails
            {
                Cause = GraphAuthFailureCause.TokenAcquisitionFailed,
                Message = $"{_credentialName} returned an access token that is empty, white space only or holds control characters; it was not sent.",
                Remediation = $"{_credentialName} answered without a usable access token. Check what it returns (a custom credential, a cache or a token file handing back a placeholder or a value with its line break); a token is a single line of visible characters.",
                Scopes = request.Scopes,
                Evidence = [$"{_credentialName} returned no usable token."],
            });
        }

        return new GraphAccessToken(token.Token, token.ExpiresOn) { RefreshOn = token.RefreshOn };
    }

    internal GraphAuthException Map(Exception exception, GraphTokenRequest request)
    {
        var failed = FailedCredentials(exception);
        failed.Remove(_credentialName);
        var who = failed.Count == 0 ? _credentialName : $"{_credentialName} ({string.Join(", ", failed)})";
        switch (exception)
        {
            case AuthenticationRequiredException:
                return GraphAuthException.Create(new GraphAuthFailureDetails
                {
                    Cause = GraphAuthFailureCause.InteractionRequired,
                    Message = $"{who} needs the user to sign in interactively.",
                    Remediation = $"{who} has no cached account that can be used silently: call its AuthenticateAsync (or sign in interactively) first, with the claims on this exception when there are any.",
                    Claims = request.Claims,
                    Scopes = request.Scopes,
                });

            case CredentialUnavailableException:
                return GraphAuthException.Create(new GraphAuthFailureDetails
                {
                    Cause = GraphAuthFailureCause.TokenAcquisitionFailed,
                    Message = $"{who} is not available in this environment.",
                    Remediation = Unavailable(who, failed),
                    Scopes = request.Scopes,
                    TokenEndpointError = "credential_unavailable",
                });

            case AuthenticationFailedException when request.TenantId is { } tenant && MentionsAllowedTenants(exception):
                return GraphAuthException.Create(new GraphAuthFailureDetails
                {
                    Cause = GraphAuthFailureCause.TokenAcquisitionFailed,
                    Message = $"{who} may not acquire tokens for tenant {tenant}: the tenant is not in its AdditionallyAllowedTenants.",
                    Remediation = $"{who} acquires tokens for its own tenant and for the tenants listed in its options' AdditionallyAllowedTenants only. Add {tenant} there (or \"*\" for any tenant), for example new ClientSecretCredentialOptions {{ AdditionallyAllowedTenants = {{ \"{tenant}\" }} }}, or stop asking for this tenant (SetGraphTenant, GraphAuthOptions.TenantResolver).",
                    Scopes = request.Scopes,
                    TokenEndpointError = "tenant_not_allowed",
                    Evidence = [$"The request's tenant is {tenant}.", $"{who} refused it: not in AdditionallyAllowedTenants (no token endpoint was asked)."],
                });

            case AuthenticationFailedException failedAuthentication:
                // The core's token-endpoint diagnosis, from the start of each message (the AADSTS number, the ids of an
                // onboarding failure) and the status: nothing else of the text is kept.
                return GraphTokenSourceFailure.FromTokenEndpoint(
                    new GraphTokenEndpointError
                    {
                        SourceName = who,
                        StatusCode = FindStatus(failedAuthentication) is { } status ? (HttpStatusCode)status : null,
                        ErrorDescription = TextOf(failedAuthentication),
                    },
                    request);

            default:
                return GraphAuthException.Create(new GraphAuthFailureDetails
                {
                    Cause = GraphAuthFailureCause.TokenAcquisitionFailed,
                    Message = $"{who} failed with {exception.GetType().Name}.",
                    Remediation = $"{who} threw {exception.GetType().Name} while acquiring a token; check its configuration and connectivity to its token endpoint.",
                    Scopes = request.Scopes,
                });
        }
    }

    /// <summary>Whether Azure.Identity refused the tenant itself, before any token request: Azure.Identity 1.21 says "The
    /// current credential is not configured to acquire tokens for tenant {tenant}" with a link to its multitenant
    /// troubleshooting page; older versions named <c>AdditionallyAllowedTenants</c>.</summary>
    private static bool MentionsAllowedTenants(Exception exception) =>
        Flatten(exception).Any(e => Head(e.Message) is var text
            && (text.Contains("not configured to acquire tokens for tenant", StringComparison.Ordinal)
                || text.Contains("identity/multitenant/troubleshoot", StringComparison.Ordinal)
                || text.Contains("AdditionallyAllowedTenants", StringComparison.Ordinal)));

    private static string Unavailable(string who, IReadOnlyList<string> failed) =>
        (failed.Count > 0
            ? $"None of the credentials tried could run here ({string.Join(", ", failed)})."
            : $"{who} could not find what it needs in this environment.")
        + " Check its configuration: environment variables (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_FEDERATED_TOKEN_FILE for workload identity), a managed identity assigned to this Azure resource, or a developer sign-in (az login). With DefaultAzureCredential, AZURE_TOKEN_CREDENTIALS narrows the chain to the credential you mean.";

    /// <summary>The names of the credentials an exception (and its inner exceptions) speak of: type names only,
    /// picked out of the text by pattern; the rest of the text is never kept.</summary>
    private static List<string> FailedCredentials(Exception exception)
    {
        var names = new List<string>();
        foreach (var ex in Flatten(exception))
        {
            try
            {
                foreach (Match match in CredentialName().Matches(Head(ex.Message)))
                {
                    if (!names.Contains(match.Value, StringComparer.Ordinal))
                    {
                        names.Add(match.Value);
                    }
                }
            }
            catch (RegexMatchTimeoutException)
            {
                // The mapping never throws: the names found so far are enough to say who failed.
            }
        }

        return names;
    }

    /// <summary>The first characters of each message, where a credential names itself and the AADSTS number stands:
    /// a message quoting a huge token-endpoint answer costs no more than a short one.</summary>
    private static string TextOf(Exception exception) => string.Join('\n', Flatten(exception).Select(e => Head(e.Message)));

    private static string Head(string message) => message.Length <= MaxHeadLength ? message : message[..MaxHeadLength];

    private static int? FindStatus(Exception exception) =>
        Flatten(exception).OfType<RequestFailedException>().FirstOrDefault(r => r.Status > 0)?.Status;

    private static IEnumerable<Exception> Flatten(Exception exception)
    {
        var stack = new Stack<Exception>();
        stack.Push(exception);
        var seen = 0;
        while (stack.Count > 0 && seen++ < 32)
        {
            var ex = stack.Pop();
            yield return ex;
            if (ex is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    stack.Push(inner);
                }
            }
            else if (ex.InnerException is { } inner)
            {
                stack.Push(inner);
            }
        }
    }

    [GeneratedRegex(@"\b(?:[A-Z][a-z]+){1,6}Credential\b", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex CredentialName();
}
