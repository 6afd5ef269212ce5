using System.Text.Json;

namespace GraphAuthResilience.Diagnosis;

/// <summary>
/// The least-privileged delegated and application permissions of common Graph operations, read from the embedded
/// <c>permissions.json</c>, matched by method and path template (ids, UPNs and <c>/me</c>; <c>/v1.0</c> and
/// <c>/beta</c>; query strings ignored).
/// </summary>
internal sealed class GraphPermissionCatalog
{
    internal const string ResourceName = "GraphAuthResilience.permissions.json";

    private static readonly Lazy<GraphPermissionCatalog> LazyDefault = new(LoadEmbedded);

    public GraphPermissionCatalog(IReadOnlyList<GraphOperationPermissions> operations)
    {
        Operations = operations;
    }

    /// <summary>Gets the catalog shipped in the assembly.</summary>
    public static GraphPermissionCatalog Default => LazyDefault.Value;

    public IReadOnlyList<GraphOperationPermissions> Operations { get; }

    /// <summary>Whether an entry for this request depends on a property of its JSON body.</summary>
    public bool NeedsRequestBody(HttpMethod method, Uri? uri)
    {
        if (uri is not { IsAbsoluteUri: true })
        {
            return false;
        }

        var segments = GraphPathTemplate.Normalize(uri.AbsolutePath);
        var asUser = MeAsUser(segments);
        foreach (var operation in Operations)
        {
            if (operation.BodyProperty is not null
                && string.Equals(operation.Method, method.Method, StringComparison.OrdinalIgnoreCase)
                && (GraphPathTemplate.Matches(operation.Segments, segments, out _)
                    || (asUser is not null && GraphPathTemplate.Matches(operation.Segments, asUser, out _))))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Finds the operation of a request, or <see langword="null"/> when the catalog does not know it.</summary>
    /// <param name="method">The request method.</param>
    /// <param name="uri">The request URI (query ignored).</param>
    /// <param name="bodyProperties">The top-level properties of the request's JSON body, when it could be read.</param>
    public GraphOperationPermissions? Find(HttpMethod method, Uri? uri, IReadOnlySet<string>? bodyProperties = null)
    {
        ArgumentNullException.ThrowIfNull(method);
        if (uri is not { IsAbsoluteUri: true })
        {
            return null;
        }

        var segments = GraphPathTemplate.Normalize(uri.AbsolutePath);
        if (FindExact(method, segments, bodyProperties) is { } exact)
        {
            return exact;
        }

        // /me/... not listed: the /users/{id}/... entry, which a signed-in user alone can call.
        if (MeAsUser(segments) is { } asUser && FindExact(method, asUser, bodyProperties) is { } user)
        {
            return new GraphOperationPermissions(
                user.Method,
                "/me" + user.PathTemplate["/users/{id}".Length..],
                user.Delegated,
                [],
                user.PersonalAccounts,
                user.BodyProperty,
                user.PasswordReset,
                user.Note);
        }

        return null;
    }

    internal static GraphPermissionCatalog Parse(Stream utf8Json)
    {
        using var document = JsonDocument.Parse(utf8Json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        var operations = new List<GraphOperationPermissions>();
        foreach (var item in document.RootElement.GetProperty("operations").EnumerateArray())
        {
            operations.Add(new GraphOperationPermissions(
                item.GetProperty("method").GetString()!.ToUpperInvariant(),
                item.GetProperty("path").GetString()!,
                ReadList(item, "delegated"),
                ReadList(item, "application"),
                item.TryGetProperty("personalAccounts", out var personal) && personal.ValueKind is JsonValueKind.True or JsonValueKind.False ? personal.GetBoolean() : null,
                item.TryGetProperty("bodyProperty", out var body) ? body.GetString() : null,
                item.TryGetProperty("passwordReset", out var reset) && reset.ValueKind == JsonValueKind.True,
                item.TryGetProperty("note", out var note) ? note.GetString() : null));
        }

        return new GraphPermissionCatalog(operations);
    }

    private static GraphPermissionCatalog LoadEmbedded()
    {
        using var stream = typeof(GraphPermissionCatalog).Assembly.GetManifestResourceStream(ResourceName);
        return stream is null ? new GraphPermissionCatalog([]) : Parse(stream);
    }

    private static string[] ReadList(JsonElement item, string name) =>
        item.TryGetProperty(name, out var list) && list.ValueKind == JsonValueKind.Array
            ? [.. list.EnumerateArray().Select(e => e.GetString()).OfType<string>()]
            : [];

    private static List<string>? MeAsUser(IReadOnlyList<string> segments)
    {
        if (segments.Count == 0 || !string.Equals(segments[0], "me", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var list = new List<string>(segments.Count + 1) { "users", GraphPathTemplate.Placeholder };
        list.AddRange(segments.Skip(1));
        return list;
    }

    private GraphOperationPermissions? FindExact(HttpMethod method, IReadOnlyList<string> segments, IReadOnlySet<string>? bodyProperties)
    {
        GraphOperationPermissions? best = null;
        var bestScore = -1;
        foreach (var operation in Operations)
        {
            if (!string.Equals(operation.Method, method.Method, StringComparison.OrdinalIgnoreCase)
                || !GraphPathTemplate.Matches(operation.Segments, segments, out var literals))
            {
                continue;
            }

            var score = literals * 2;
            if (operation.BodyProperty is { } property)
            {
                if (bodyProperties is null || !bodyProperties.Contains(property))
                {
                    continue;
                }

                score++; // A body-specific entry beats the general one for the same path.
            }

            if (score > bestScore)
            {
                best = operation;
                bestScore = score;
            }
        }

        return best;
    }
}
