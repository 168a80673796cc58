namespace Verging.ArchitectureTests;

/// <summary>
/// The rules as pure functions of "assembly → the Verging assemblies it references", so the same
/// rules run against the real build and against a deliberately wrong set (to prove they can fail).
/// </summary>
public static class BoundaryRules
{
    public static IReadOnlyList<string> Violations(IReadOnlyDictionary<string, IReadOnlyCollection<string>> references)
    {
        var violations = new List<string>();
        foreach (var (assembly, referenced) in references)
        {
            var owner = ModuleMap.Modules.FirstOrDefault(m =>
                assembly == ModuleMap.Implementation(m) || assembly == ModuleMap.Contracts(m));
            if (owner is null)
            {
                continue;
            }

            var isContracts = assembly == ModuleMap.Contracts(owner);
            foreach (var target in referenced.Where(r => r.StartsWith("Verging.", StringComparison.Ordinal)))
            {
                if (target == "Verging.SharedKernel")
                {
                    continue;
                }

                if (isContracts)
                {
                    violations.Add($"{assembly} must reference only the BCL and Verging.SharedKernel, not {target}");
                    continue;
                }

                if (target == ModuleMap.Contracts(owner))
                {
                    continue;
                }

                var allowed = ModuleMap.AllowedContracts[owner].Select(ModuleMap.Contracts);
                if (!allowed.Contains(target))
                {
                    violations.Add($"{assembly} must not reference {target}");
                }
            }
        }

        return violations;
    }
}
