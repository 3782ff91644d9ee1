using Microsoft.CodeAnalysis;
using Xunit;

namespace HttpGen.Tests.Generator;

/// <summary>
/// Generated file names (hint names) are unique in every legal program: a clash makes the compiler drop all of the
/// generator's output (CS8785), so one odd type would break every other one.
/// </summary>
public class GeneratedFileNameTests
{
    [Fact]
    public void Two_file_local_types_of_one_name_in_two_files_leave_every_other_type_generated()
    {
        var compilation = GeneratorHarness.CreateCompilation(
            "using HttpGen;\nnamespace N;\n[HttpRequest] file partial class R { }",
            "using HttpGen;\nnamespace N;\n[HttpRequest] file partial class R { }\n"
                + "[HttpRequest] public partial class Ok { [HttpHeader(\"Host\")] public partial HeaderValue Host { get; } }");

        var (result, diagnostics) = GeneratorHarness.RunAll(compilation);

        Assert.Null(result.Exception);
        Assert.Equal(new[] { "HTTPGEN016 Source0.cs", "HTTPGEN016 Source1.cs" },
            diagnostics.Select(d => d.Id + " " + d.Location.GetLineSpan().Path).Order());
        Assert.Equal("N.Ok.g.cs", Assert.Single(result.GeneratedSources).HintName);
    }

    [Fact]
    public void Types_whose_names_differ_only_in_namespace_nesting_arity_or_case_each_get_a_file()
    {
        // Parsers for the legal message types, stubs for the nested and generic ones (HTTPGEN002): nine files.
        const string source = """
            using HttpGen;
            namespace A.B { [HttpRequest] public partial class C { [HttpHeader("Host")] public partial HeaderValue Host { get; } } }
            namespace A { public partial class D { [HttpRequest] public partial class C { [HttpHeader("Host")] public partial HeaderValue Host { get; } } } }
            namespace A { [HttpRequest] public partial class G { [HttpHeader("Host")] public partial HeaderValue Host { get; } } }
            namespace A { [HttpRequest] public partial class G<T> { [HttpHeader("Host")] public partial HeaderValue Host { get; } } }
            namespace A { [HttpRequest] public partial class Case { } [HttpRequest] public partial class CASE { } }
            namespace a.b { [HttpRequest] public partial class C { } }
            namespace A.B { public partial class Outer { [HttpResponse] public partial class G { [HttpHeader("X")] public partial bool X { get; } } } }
            namespace A.B { public partial class Outer2 { [HttpResponse] public partial class G { [HttpHeader("X")] public partial bool X { get; } } } }
            """;

        var (result, diagnostics) = GeneratorHarness.RunAll(GeneratorHarness.CreateCompilation(source));

        Assert.Null(result.Exception);
        Assert.Equal(Enumerable.Repeat("HTTPGEN002", 4), diagnostics.Select(d => d.Id));
        string[] names = result.GeneratedSources.Select(s => s.HintName).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(9, names.Length);
        Assert.Equal(names.Length, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Contains("A.D+C.g.cs", names);
        Assert.Contains("A.G.g.cs", names);
        Assert.Contains("A.G`1.g.cs", names);
        Assert.Contains("A.B.Outer+G.g.cs", names);
        Assert.Contains("A.B.Outer2+G.g.cs", names);
        // Names equal but for case carry a hash of the exact name: A.B.C and a.b.C, A.Case and A.CASE.
        Assert.Equal(4, names.Count(n => n.Contains('{')));
        Assert.Contains(names, n => n.StartsWith("a.b.C{", StringComparison.Ordinal));
        Assert.Contains(names, n => n.StartsWith("A.CASE{", StringComparison.Ordinal));
    }
}
