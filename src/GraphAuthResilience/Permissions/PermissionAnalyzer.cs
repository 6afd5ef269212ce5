using GraphAuthResilience.Diagnosis;

namespace GraphAuthResilience.Permissions;

/// <summary>
/// Turns what was recorded into what a report says, per kind of token: each operation's least-privileged options
/// (from the catalog), the smallest set that covers them (<see cref="PermissionSetCover"/>), and the differences with
/// what the tokens held.
/// </summary>
internal static class PermissionAnalyzer
{
    /// <summary>Scopes a delegated token carries for signing in, not for Graph calls: never judged unused.</summary>
    private static readonly HashSet<string> SignInScopes = new(StringComparer.OrdinalIgnoreCase) { "openid", "profile", "email", "offline_access" };

    public static PermissionAnalysis Analyze(UsageSnapshot snapshot)
    {
        var uses = new List<GraphOperationUse>();
        var delegated = new List<PermissionRequirement>();
        var application = new List<PermissionRequirement>();
        foreach (var recorded in snapshot.Operations)
        {
            foreach (var scheme in (ReadOnlySpan<GraphPermissionScheme>)[GraphPermissionScheme.DelegatedWork, GraphPermissionScheme.DelegatedPersonal, GraphPermissionScheme.Application])
            {
                var calls = recorded.Calls(scheme);
                if (calls == 0)
                {
                    continue;
                }

                var least = LeastOf(recorded.Operation, scheme);
                var appOnly = scheme == GraphPermissionScheme.Application;
                uses.Add(new GraphOperationUse(
                    recorded.Operation.Method, recorded.DisplayTemplate, appOnly ? GraphPermissionKind.Application : GraphPermissionKind.Delegated, [.. least.Select(g => g.Grant.Name)], calls, recorded.Denied(scheme)));
                if (least.Count > 0)
                {
                    var display = recorded.Operation.Method + " " + recorded.DisplayTemplate;
                    var all = AllOf(recorded.Operation, scheme).Select((g, i) => (g, i)).ToList();
                    (appOnly ? application : delegated).Add(new PermissionRequirement(display, Options(least), Options(all)));
                }
            }
        }

        var operations = uses
            .OrderBy(u => u.PathTemplate, StringComparer.OrdinalIgnoreCase)
            .ThenBy(u => u.Method, StringComparer.Ordinal)
            .ThenBy(u => u.Kind)
            .ToList();
        return new PermissionAnalysis(
            operations,
            Kind(appOnly: false, delegated, snapshot.HeldDelegated, snapshot.AppIds.Count > 1 ? null : snapshot.FirstDelegatedToken),
            Kind(appOnly: true, application, snapshot.HeldApplication, snapshot.AppIds.Count > 1 ? null : snapshot.FirstApplicationToken),
            [.. snapshot.AppIds.Order(StringComparer.OrdinalIgnoreCase)],
            snapshot.UnknownCalls,
            snapshot.DroppedCalls,
            snapshot.UnreadableTokenCalls,
            snapshot.UnreadBatches,
            snapshot.RecordingFailures,
            snapshot.MaxOperations);
    }

    /// <summary>The grants the map marks least privileged for the scheme (the first listed when none is marked), with
    /// their place in the operation's list. A personal account falls back to the work or school list when the map has
    /// no personal one (the token is delegated all the same).</summary>
    internal static IReadOnlyList<(GraphPermissionAllowance Grant, int Rank)> LeastOf(GraphOperationPermissions operation, GraphPermissionScheme scheme)
    {
        var grants = AllOf(operation, scheme);
        var ranked = grants.Select((g, i) => (Grant: g, Rank: i)).Where(x => !x.Grant.Permission.IsResourceSpecific).ToList();
        var least = ranked.Where(x => x.Grant.Least).ToList();
        return least.Count > 0 ? least : [.. ranked.Take(1)];
    }

    private static IReadOnlyList<GraphPermissionAllowance> AllOf(GraphOperationPermissions operation, GraphPermissionScheme scheme)
    {
        var grants = operation.Grants(scheme);
        return grants.Count == 0 && scheme == GraphPermissionScheme.DelegatedPersonal ? operation.Grants(GraphPermissionScheme.DelegatedWork) : grants;
    }

    private static List<PermissionOption> Options(IReadOnlyList<(GraphPermissionAllowance Grant, int Rank)> least)
    {
        var options = new List<PermissionOption>();
        foreach (var (grant, rank) in least)
        {
            if (grant.AlsoRequires.Count == 0)
            {
                options.Add(new PermissionOption([grant.Name], rank));
                continue;
            }

            foreach (var also in grant.AlsoRequires)
            {
                options.Add(new PermissionOption([grant.Name, also], rank));
            }
        }

        return options;
    }

    private static PermissionKindAnalysis Kind(bool appOnly, List<PermissionRequirement> requirements, IReadOnlyList<string> heldNames, GraphTokenInfo? token)
    {
        var held = new HashSet<string>(heldNames, StringComparer.OrdinalIgnoreCase);
        var needed = PermissionSetCover.Solve(requirements, held, out var exact);
        var neededSet = new HashSet<string>(needed, StringComparer.OrdinalIgnoreCase);
        var covers = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var permission in needed)
        {
            covers[permission] = [.. requirements
                .Where(r => r.Accepted.Any(o => o.Permissions.All(neededSet.Contains) && o.Permissions.Contains(permission, StringComparer.OrdinalIgnoreCase)))
                .Select(r => r.Display)
                .Distinct(StringComparer.Ordinal)
                .Order(StringComparer.OrdinalIgnoreCase)];
        }

        return new PermissionKindAnalysis(
            appOnly,
            token,
            needed,
            Sorted(held),
            Sorted(needed.Where(p => !held.Contains(p))),
            Sorted(held.Where(p => !neededSet.Contains(p) && !SignInScopes.Contains(p))),
            Sorted(held.Where(SignInScopes.Contains)),
            covers,
            exact);
    }

    private static string[] Sorted(IEnumerable<string> names) => [.. names.Order(StringComparer.OrdinalIgnoreCase)];
}
