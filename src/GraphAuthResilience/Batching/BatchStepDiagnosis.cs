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
            // The claims and the token's payload come read (once per batch, BatchStepReadings): nothing is parsed here.
            var bodyProperties = !step.RequestJsonBody.IsEmpty && permissions.NeedsRequestBody(step.Method, step.Uri)
                ? RequestBodyProbe.TopLevelProperties(step.RequestJsonBody.Span)
                : null;
            var input = new GraphAuthFailureContext(
                step.Status,
                step.Method,
                step.Uri,
                step.ClaimsJson,
                GraphErrorBody.Parse(step.Body.Span),
                !string.IsNullOrWhiteSpace(step.SentToken),
                step.SentTokenInfo,
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

    /// <summary>The path of a request without ids, UPNs or query, safe for logs.</summary>
    public static string RedactPath(Uri? uri) => GraphPath.Redact(uri);
}
