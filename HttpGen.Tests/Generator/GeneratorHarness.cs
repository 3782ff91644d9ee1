using System.Collections.Immutable;
using HttpGen.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace HttpGen.Tests.Generator;

/// <summary>Runs <see cref="HttpGenGenerator"/> in process over source text, as the compiler would.</summary>
internal static class GeneratorHarness
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(LoadReferences);

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Preview);

    /// <summary>The compiler's strict mode (<c>Features=strict</c>), for tests that hold generated code to every rule.</summary>
    public static readonly CSharpParseOptions StrictParseOptions = ParseOptions.WithFeatures(new[] { new KeyValuePair<string, string>("strict", "true") });

    public static CSharpCompilation CreateCompilation(params string[] sources) => CreateCompilation(NullableContextOptions.Enable, ParseOptions, sources);

    /// <summary>A compilation of <c>Source0.cs</c>, <c>Source1.cs</c>... with every warning wave on (warning level 9999).</summary>
    public static CSharpCompilation CreateCompilation(NullableContextOptions nullable, CSharpParseOptions parseOptions, params string[] sources)
    {
        var trees = new List<SyntaxTree>();
        for (int i = 0; i < sources.Length; i++)
        {
            trees.Add(CSharpSyntaxTree.ParseText(sources[i], parseOptions, path: $"Source{i}.cs"));
        }

        return CSharpCompilation.Create(
            "HttpGenTestAssembly",
            trees,
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: nullable, warningLevel: 9999));
    }

    public static GeneratorDriver CreateDriver() => CreateDriver(ParseOptions);

    public static GeneratorDriver CreateDriver(CSharpParseOptions parseOptions) =>
        CSharpGeneratorDriver.Create(
            new[] { new HttpGenGenerator().AsSourceGenerator() },
            parseOptions: parseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>
    /// Runs the generator over <paramref name="compilation"/> and returns everything a build would show at warning
    /// level or above: the generator's diagnostics and the compiler's on the compilation that includes its output.
    /// </summary>
    public static (GeneratorRunResult Result, ImmutableArray<Diagnostic> Diagnostics) RunAll(CSharpCompilation compilation)
    {
        GeneratorDriver driver = CreateDriver((CSharpParseOptions)compilation.SyntaxTrees[0].Options)
            .RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        ImmutableArray<Diagnostic> all = generatorDiagnostics.AddRange(output.GetDiagnostics())
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .ToImmutableArray();
        return (result, all);
    }

    /// <summary>Runs the generator and returns its result plus the diagnostics of the compilation that includes its output.</summary>
    public static (GeneratorRunResult Result, ImmutableArray<Diagnostic> CompilationDiagnostics) Run(params string[] sources)
    {
        CSharpCompilation compilation = CreateCompilation(sources);
        GeneratorDriver driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out _);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        return (result, output.GetDiagnostics());
    }

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        // The framework assemblies this test runs on, plus the runtime that holds the attributes.
        string trusted = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
        var references = new List<MetadataReference>();
        foreach (string path in trusted.Split(Path.PathSeparator))
        {
            string name = Path.GetFileNameWithoutExtension(path);
            if (name.StartsWith("System.", StringComparison.Ordinal) || name is "System" or "mscorlib" or "netstandard")
            {
                references.Add(MetadataReference.CreateFromFile(path));
            }
        }

        references.Add(MetadataReference.CreateFromFile(typeof(HttpRequestAttribute).Assembly.Location));
        return references.ToImmutableArray();
    }
}
