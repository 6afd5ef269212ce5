namespace GraphAuthResilience.Permissions;

/// <summary>
/// The smallest set of least-privileged permissions that satisfies every requirement (a set cover). Requirements with
/// one option are taken as they are; the rest are searched exactly while at most <see cref="ExactLimit"/> candidate
/// permissions remain (every subset, smallest first), greedily beyond. Ties, in order: more permissions already held,
/// then a lower rank sum (less privileged, by the catalog's order), then the names (ordinal, case-insensitive). Last, a
/// permission is dropped when the others chosen already allow every operation (by the catalog's full list): a call
/// to <c>GET /users</c> (least <c>User.ReadBasic.All</c>) adds nothing when <c>User.Read.All</c> is needed anyway. The
/// result is the same for the same input, whatever the order the requirements came in.
/// </summary>
internal static class PermissionSetCover
{
    /// <summary>The most candidate permissions searched exactly (2^16 subsets at worst).</summary>
    public const int ExactLimit = 16;

    public static IReadOnlyList<string> Solve(IReadOnlyList<PermissionRequirement> requirements, IReadOnlySet<string> held, out bool exact)
    {
        exact = true;
        var chosen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var requirement in requirements)
        {
            if (requirement.Options.Count == 1)
            {
                chosen.UnionWith(requirement.Options[0].Permissions);
            }
        }

        var remaining = requirements.Where(r => r.Options.Count > 1 && !IsSatisfied(r, chosen)).ToList();
        if (remaining.Count == 0)
        {
            return Subsumed(requirements, chosen, held);
        }

        var rank = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var option in remaining.SelectMany(r => r.Options))
        {
            foreach (var permission in option.Permissions)
            {
                if (!chosen.Contains(permission))
                {
                    rank[permission] = rank.TryGetValue(permission, out var known) ? Math.Min(known, option.Rank) : option.Rank;
                }
            }
        }

        var candidates = rank.Keys
            .OrderBy(p => held.Contains(p) ? 0 : 1)
            .ThenBy(p => rank[p])
            .ThenBy(p => p, StringComparer.OrdinalIgnoreCase)
            .ToArray();
        if (candidates.Length <= ExactLimit)
        {
            chosen.UnionWith(Exact(remaining, chosen, candidates, held, rank));
            return Subsumed(requirements, chosen, held);
        }

        exact = false;
        Greedy(remaining, chosen, held, rank);
        Prune(requirements, chosen, held, rank);
        return Subsumed(requirements, chosen, held);
    }

    /// <summary>Whether <paramref name="set"/> allows the operation at all (any permission the catalog lists for it).</summary>
    public static bool IsAccepted(PermissionRequirement requirement, IReadOnlySet<string> set) =>
        requirement.Accepted.Any(o => o.Permissions.All(set.Contains));

    /// <summary>Drops each permission whose operations the rest allow anyway; those not held are tried first, then by name.</summary>
    private static string[] Subsumed(IReadOnlyList<PermissionRequirement> requirements, HashSet<string> chosen, IReadOnlySet<string> held)
    {
        var order = chosen
            .OrderBy(p => held.Contains(p) ? 1 : 0)
            .ThenBy(p => p, StringComparer.OrdinalIgnoreCase)
            .ToList();
        foreach (var permission in order)
        {
            chosen.Remove(permission);
            if (!requirements.All(r => IsAccepted(r, chosen)))
            {
                chosen.Add(permission);
            }
        }

        return Sorted(chosen);
    }

    private static bool IsSatisfied(PermissionRequirement requirement, IReadOnlySet<string> set) =>
        requirement.Options.Any(o => o.Permissions.All(set.Contains));

    private static string[] Sorted(IEnumerable<string> set) => [.. set.Order(StringComparer.OrdinalIgnoreCase)];

    private static List<string> Exact(
        List<PermissionRequirement> remaining, HashSet<string> chosen, string[] candidates, IReadOnlySet<string> held, Dictionary<string, int> rank)
    {
        var trial = new HashSet<string>(chosen, StringComparer.OrdinalIgnoreCase);
        for (var size = 1; size <= candidates.Length; size++)
        {
            List<string>? best = null;
            foreach (var subset in Combinations(candidates, size))
            {
                trial.Clear();
                trial.UnionWith(chosen);
                trial.UnionWith(subset);
                if (remaining.All(r => IsSatisfied(r, trial)) && (best is null || Better(subset, best, held, rank)))
                {
                    best = [.. subset];
                }
            }

            if (best is not null)
            {
                return best;
            }
        }

        return [.. candidates]; // Unreachable: every candidate together satisfies every requirement.
    }

    private static bool Better(IReadOnlyList<string> a, IReadOnlyList<string> b, IReadOnlySet<string> held, Dictionary<string, int> rank)
    {
        var heldA = a.Count(held.Contains);
        var heldB = b.Count(held.Contains);
        if (heldA != heldB)
        {
            return heldA > heldB;
        }

        var rankA = a.Sum(p => rank[p]);
        var rankB = b.Sum(p => rank[p]);
        if (rankA != rankB)
        {
            return rankA < rankB;
        }

        return string.Compare(Key(a), Key(b), StringComparison.OrdinalIgnoreCase) < 0;

        static string Key(IReadOnlyList<string> set) => string.Join('\n', set.Order(StringComparer.OrdinalIgnoreCase));
    }

    private static IEnumerable<string[]> Combinations(string[] items, int size)
    {
        var indexes = Enumerable.Range(0, size).ToArray();
        while (true)
        {
            yield return [.. indexes.Select(i => items[i])];
            var at = size - 1;
            while (at >= 0 && indexes[at] == items.Length - size + at)
            {
                at--;
            }

            if (at < 0)
            {
                yield break;
            }

            indexes[at]++;
            for (var next = at + 1; next < size; next++)
            {
                indexes[next] = indexes[next - 1] + 1;
            }
        }
    }

    private static void Greedy(List<PermissionRequirement> remaining, HashSet<string> chosen, IReadOnlySet<string> held, Dictionary<string, int> rank)
    {
        while (remaining.Count > 0)
        {
            PermissionOption? best = null;
            double bestScore = -1;
            foreach (var option in remaining.SelectMany(r => r.Options).Distinct())
            {
                var added = option.Permissions.Where(p => !chosen.Contains(p)).ToArray();
                var trial = new HashSet<string>(chosen, StringComparer.OrdinalIgnoreCase);
                trial.UnionWith(added);
                var score = (double)remaining.Count(r => IsSatisfied(r, trial)) / Math.Max(1, added.Length);
                if (best is null || score > bestScore || (score == bestScore && Better(added, [.. best.Permissions.Where(p => !chosen.Contains(p))], held, rank)))
                {
                    best = option;
                    bestScore = score;
                }
            }

            chosen.UnionWith(best!.Permissions);
            remaining.RemoveAll(r => IsSatisfied(r, chosen));
        }
    }

    /// <summary>Drops what the rest already covers, the least wanted first (not held, most privileged, last by name).</summary>
    private static void Prune(IReadOnlyList<PermissionRequirement> requirements, HashSet<string> chosen, IReadOnlySet<string> held, Dictionary<string, int> rank)
    {
        var order = chosen
            .OrderBy(p => held.Contains(p) ? 1 : 0)
            .ThenByDescending(p => rank.GetValueOrDefault(p))
            .ThenByDescending(p => p, StringComparer.OrdinalIgnoreCase)
            .ToList();
        foreach (var permission in order)
        {
            chosen.Remove(permission);
            if (!requirements.All(r => IsSatisfied(r, chosen)))
            {
                chosen.Add(permission);
            }
        }
    }
}
