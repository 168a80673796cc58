using System.Reflection;
using System.Xml.Linq;
using NetArchTest.Rules;

namespace Verging.ArchitectureTests;

public sealed class ModuleBoundaryTests
{
    private static readonly Assembly[] ModuleAssemblies =
    [
        typeof(Verging.Identity.IdentityModule).Assembly,
        typeof(Verging.Credits.CreditsModule).Assembly,
        typeof(Verging.AiProxy.AiProxyModule).Assembly,
        typeof(Verging.Jobs.JobsModule).Assembly,
        typeof(Verging.Usage.UsageModule).Assembly,
    ];

    [Fact]
    public void Compiled_assemblies_respect_the_module_boundaries()
    {
        var references = LoadVergingAssemblies().ToDictionary(
            a => a.GetName().Name!,
            a => (IReadOnlyCollection<string>)a.GetReferencedAssemblies().Select(r => r.Name!).ToList());

        references.Keys.ShouldContain("Verging.Identity.Contracts");
        BoundaryRules.Violations(references).ShouldBeEmpty();
    }

    [Fact]
    public void Project_files_respect_the_module_boundaries()
    {
        // Project references are checked too: the compiler drops unused references from assemblies.
        var root = RepositoryRoot();
        var references = Directory.GetFiles(Path.Combine(root, "src", "Modules"), "*.csproj", SearchOption.AllDirectories)
            .ToDictionary(
                p => Path.GetFileNameWithoutExtension(p),
                p => (IReadOnlyCollection<string>)XDocument.Load(p).Descendants("ProjectReference")
                    .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/')))
                    .ToList());

        references.Count.ShouldBe(9);
        BoundaryRules.Violations(references).ShouldBeEmpty();
    }

    [Fact]
    public void The_rules_fail_when_a_boundary_is_broken()
    {
        var wrong = new Dictionary<string, IReadOnlyCollection<string>>
        {
            ["Verging.Credits"] = ["Verging.Identity"],
            ["Verging.Identity"] = ["Verging.Credits.Contracts"],
            ["Verging.Jobs.Contracts"] = ["Verging.Credits.Contracts"],
            ["Verging.Usage"] = ["Verging.Usage.Contracts", "Verging.Identity.Contracts"],
        };

        BoundaryRules.Violations(wrong).ShouldBe(
        [
            "Verging.Credits must not reference Verging.Identity",
            "Verging.Identity must not reference Verging.Credits.Contracts",
            "Verging.Jobs.Contracts must reference only the BCL and Verging.SharedKernel, not Verging.Credits.Contracts",
            "Verging.Usage must not reference Verging.Identity.Contracts",
        ]);
    }

    [Fact]
    public void No_module_type_depends_on_another_modules_implementation_namespace()
    {
        foreach (var assembly in ModuleAssemblies)
        {
            var own = assembly.GetName().Name!;
            var foreign = ModuleMap.Modules.Select(ModuleMap.Implementation).Where(n => n != own).ToArray();
            var result = Types.InAssembly(assembly)
                .ShouldNot().HaveDependencyOnAny(foreign.SelectMany(n => ImplementationNamespaces(n)).ToArray())
                .GetResult();
            result.IsSuccessful.ShouldBeTrue($"{own} depends on {string.Join(", ", result.FailingTypes?.Select(t => t.FullName) ?? [])}");
        }
    }

    [Fact]
    public void The_namespace_rule_detects_a_real_dependency()
    {
        // The host does depend on the Identity implementation: the same rule must report it.
        var result = Types.InAssembly(typeof(Program).Assembly)
            .ShouldNot().HaveDependencyOnAny("Verging.Identity.ApiKeys", "Verging.Identity.Accounts")
            .GetResult();
        result.IsSuccessful.ShouldBeFalse();
    }

    [Fact]
    public void Contracts_are_plain_records_with_documented_public_types()
    {
        foreach (var assembly in LoadVergingAssemblies().Where(a => a.GetName().Name!.EndsWith(".Contracts", StringComparison.Ordinal)))
        {
            foreach (var type in assembly.GetExportedTypes())
            {
                type.IsSealed.ShouldBeTrue($"{type} should be sealed");
                (type.GetMethod("<Clone>$") is not null || type.IsEnum || type.IsAbstract)
                    .ShouldBeTrue($"{type} should be a record");
            }
        }
    }

    // What identifies a module implementation's types: its sub-namespaces, and the full names of the
    // types in its root namespace (the root namespace itself is a prefix of the Contracts namespace).
    private static IEnumerable<string> ImplementationNamespaces(string assemblyName) =>
        LoadVergingAssemblies().Single(a => a.GetName().Name == assemblyName).GetTypes()
            .Where(t => t.Namespace is not null && !t.Name.StartsWith('<'))
            .Select(t => t.Namespace == assemblyName ? t.FullName! : t.Namespace!)
            .Distinct();

    private static IEnumerable<Assembly> LoadVergingAssemblies()
    {
        var directory = AppContext.BaseDirectory;
        return Directory.GetFiles(directory, "Verging.*.dll")
            .Where(f => !Path.GetFileName(f).Contains("Tests", StringComparison.Ordinal))
            .Select(f => Assembly.LoadFrom(f));
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Verging.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Verging.sln not found above the test output");
    }
}
