using GraphAuthResilience.Diagnosis;
using GraphAuthResilience.Graph;

namespace GraphAuthResilience.Batching;

/// <summary>Diagnoses a failed batch step with the classifier and permission catalog single requests use.</summary>
internal static class BatchStepDiagnosis
{
    public static BatchStepDiagnoser Create(GraphPermissionCatalog? catalog, TimeProvider time)
    {
        var permissions = catalog ?? GraphPermissionCatalog.Default;
        return step =>
        {
            GraphTokenInfo.TryParse(step.SentToken, out var token);
            var bodyProperties = !step.RequestJsonBody.IsEmpty && permissions.NeedsRequestBody(step.Method, step.Uri)
                ? RequestBodyProbe.TopLevelProperties(step.RequestJsonBody.Span)
                : null;
            var input = new GraphAuthFailureContext(
                step.Status,
                step.Method,
                step.Uri,
                WwwAuthenticateParser.Parse(step.WwwAuthenticate),
                GraphErrorBody.Parse(step.Body.Span),
                !string.IsNullOrWhiteSpace(step.SentToken),
                token,
                time.GetUtcNow())
            {
                RequestIdHeader = step.RequestIdHeader,
                ClientRequestIdHeader = step.ClientRequestIdHeader,
                Replayed = step.Resent,
                RequestBodyProperties = bodyProperties,
            };
            return GraphAuthFailureClassifier.Classify(input, permissions);
        };
    }

    /// <summary>The claims (JSON) of a claims challenge in a step's WWW-Authenticate header, or <see langword="null"/>.</summary>
    public static string? ClaimsOf(string? wwwAuthenticate) =>
        ClaimsChallenge.Find(WwwAuthenticateParser.Parse(wwwAuthenticate))?.ClaimsJson;

    /// <summary>The path of a request without ids, UPNs or query, safe for logs.</summary>
    public static string RedactPath(Uri? uri) => GraphPath.Redact(uri);
}
