namespace Verging.ArchitectureTests;

/// <summary>The module boundaries of DESIGN.md, as data the rules check against.</summary>
public static class ModuleMap
{
    public static readonly string[] Modules = ["Identity", "Credits", "AiProxy", "Jobs", "Usage"];

    /// <summary>Which other modules' Contracts a module may use (DESIGN.md, "Allowed references").</summary>
    public static readonly IReadOnlyDictionary<string, string[]> AllowedContracts = new Dictionary<string, string[]>
    {
        ["Identity"] = [],
        ["Credits"] = ["Identity"],
        ["AiProxy"] = ["Credits", "Identity"],
        ["Jobs"] = ["Credits", "Identity"],
        ["Usage"] = ["Credits", "AiProxy", "Jobs"],
    };

    public static string Implementation(string module) => $"Verging.{module}";

    public static string Contracts(string module) => $"Verging.{module}.Contracts";
}
