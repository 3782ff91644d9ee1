using System.Collections;
using System.Reflection;
using HttpGen.Generators;
using HttpGen.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace HttpGen.Tests.Generator;

/// <summary>
/// The pipeline caches: the edits users make all day re-run nothing they do not change, only the edited type's output
/// changes, and no step output holds a symbol or syntax.
/// </summary>
public class IncrementalTests
{
    // Three files, as a project has them: an edit in one leaves the types of the others alone.
    private const string RequestFile = """
        using System;
        using HttpGen;
        namespace Shop;

        [HttpRequest]
        public partial class OrderRequest
        {
            [HttpHeader("Host")] public partial ReadOnlySpan<byte> Host { get; }
            [HttpHeader("X-Request-Id")] public partial HeaderValue RequestId { get; }

            public int Priority()
            {
                return 1;
            }
        }

        [HttpResponse]
        public partial class OrderAck { }
        """;

    private const string ResponseFile = """
        using HttpGen;
        namespace Shop;
        [HttpResponse]
        public partial class OrderResponse { [HttpHeader("ETag")] public partial HeaderValue ETag { get; set; } }
        """;

    private const string OrphanFile = """
        using HttpGen;
        namespace Shop;
        public partial class NotAMessage { [HttpHeader("X")] public partial bool X { get; } }
        """;

    private static readonly string[] TrackedSteps = { TrackingNames.RequestTypes, TrackingNames.ResponseTypes, TrackingNames.OrphanHeaders };

    [Fact]
    public void Unrelated_edit_leaves_every_step_cached()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(RequestFile, ResponseFile, OrphanFile);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        GeneratorRunResult first = driver.GetRunResult().Results.Single();
        Assert.Contains(first.GeneratedSources, s => s.HintName == "Shop.OrderRequest.g.cs");
        Assert.Single(first.Diagnostics); // HTTPGEN010 on NotAMessage

        // A clone with one more, unrelated file: every tracked step must be served from the cache.
        CSharpCompilation edited = compilation.Clone().AddSyntaxTrees(
            CSharpSyntaxTree.ParseText("namespace Shop; public class Unrelated { public int X => 42; }", GeneratorHarness.ParseOptions));
        driver = driver.RunGenerators(edited);
        GeneratorRunResult second = driver.GetRunResult().Results.Single();

        foreach (string step in TrackedSteps)
        {
            Assert.True(second.TrackedSteps.TryGetValue(step, out var runs), $"step {step} is tracked");
            foreach (IncrementalGeneratorRunStep run in runs)
            {
                foreach ((object value, IncrementalStepRunReason reason) in run.Outputs)
                {
                    Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"step {step} output was {reason}");
                }
            }
        }

        Assert.Equal(first.GeneratedSources.Length, second.GeneratedSources.Length);
        for (int i = 0; i < first.GeneratedSources.Length; i++)
        {
            Assert.Equal(first.GeneratedSources[i].SourceText.ToString(), second.GeneratedSources[i].SourceText.ToString());
        }
    }

    [Fact]
    public void Relevant_edit_reruns_the_model_step()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(RequestFile, ResponseFile, OrphanFile);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        driver = driver.RunGenerators(EditFile(compilation, 0, text => text.Replace("X-Request-Id", "X-Correlation-Id")));
        GeneratorRunResult result = driver.GetRunResult().Results.Single();

        IncrementalStepRunReason reason = result.TrackedSteps[TrackingNames.RequestTypes].Single().Outputs.Single().Reason;
        Assert.Equal(IncrementalStepRunReason.Modified, reason);
        Assert.Contains("X-Correlation-Id", result.GeneratedSources.Single(s => s.HintName == "Shop.OrderRequest.g.cs").SourceText.ToString());
    }

    [Fact]
    public void Method_body_edited_in_an_annotated_class_changes_no_output()
    {
        GeneratorRunResult second = RunEdit(c => EditFile(c, 0, text => text.Replace("return 1;", "int x = 2;\n        return x;")));

        AssertOnlyChanged(second, type: null, IncrementalStepRunReason.Cached);
    }

    [Fact]
    public void Line_inserted_above_an_annotated_class_changes_no_output()
    {
        GeneratorRunResult second = RunEdit(c => EditFile(c, 0, text => text.Replace("[HttpRequest]", "// Orders placed by the shop front.\n\n[HttpRequest]")));

        AssertOnlyChanged(second, type: null, IncrementalStepRunReason.Cached);
    }

    [Fact]
    public void Header_added_modifies_only_that_type()
    {
        GeneratorRunResult second = RunEdit(c => EditFile(c, 0, text => text.Replace(
            "[HttpHeader(\"Host\")]", "[HttpHeader(\"Accept\")] public partial HeaderValue Accept { get; }\n    [HttpHeader(\"Host\")]")));

        AssertOnlyChanged(second, "OrderRequest", IncrementalStepRunReason.Modified);
        Assert.Contains("public partial global::HttpGen.HeaderValue Accept", second.GeneratedSources.Single(s => s.HintName == "Shop.OrderRequest.g.cs").SourceText.ToString());
    }

    [Fact]
    public void File_added_with_a_message_type_adds_only_its_output()
    {
        GeneratorRunResult second = RunEdit(c => c.AddSyntaxTrees(CSharpSyntaxTree.ParseText(
            "using HttpGen;\nnamespace Shop;\n[HttpRequest] public partial class RefundRequest { [HttpHeader(\"Host\")] public partial HeaderValue Host { get; } }",
            GeneratorHarness.ParseOptions, path: "Source3.cs")));

        Assert.Equal(new[] { "NotAMessage", "OrderAck", "OrderRequest", "OrderResponse", "RefundRequest" }, OutputReasons(second).Keys.Order());
        AssertOnlyChanged(second, "RefundRequest", IncrementalStepRunReason.New);
    }

    private static GeneratorRunResult RunEdit(Func<CSharpCompilation, CSharpCompilation> edit)
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(RequestFile, ResponseFile, OrphanFile);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        GeneratorRunResult first = driver.GetRunResult().Results.Single();
        Assert.Equal(4, first.GeneratedSources.Length); // three parsers and the orphan's stub
        Assert.Equal("HTTPGEN010", Assert.Single(first.Diagnostics).Id);

        driver = driver.RunGenerators(edit(compilation));
        GeneratorRunResult second = driver.GetRunResult().Results.Single();
        Assert.Null(second.Exception);
        return second;
    }

    private static CSharpCompilation EditFile(CSharpCompilation compilation, int index, Func<string, string> change)
    {
        SyntaxTree tree = compilation.SyntaxTrees[index];
        string text = tree.GetText().ToString();
        string changed = change(text);
        Assert.NotEqual(text, changed);
        return compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(changed, System.Text.Encoding.UTF8)));
    }

    // The model step's reason for each message type.
    private static Dictionary<string, IncrementalStepRunReason> ModelReasons(GeneratorRunResult run)
    {
        var reasons = new Dictionary<string, IncrementalStepRunReason>();
        foreach (string step in new[] { TrackingNames.RequestTypes, TrackingNames.ResponseTypes })
        {
            foreach (IncrementalGeneratorRunStep runStep in run.TrackedSteps[step])
            {
                foreach ((object value, IncrementalStepRunReason reason) in runStep.Outputs)
                {
                    reasons.Add(((MessageTypeResult)value).Spec!.TypeName, reason);
                }
            }
        }

        return reasons;
    }

    // Each source output step's reason, keyed by the type whose output it writes (the orphan stubs by their type).
    private static Dictionary<string, IncrementalStepRunReason> OutputReasons(GeneratorRunResult run)
    {
        var reasons = new Dictionary<string, IncrementalStepRunReason>();
        foreach (IncrementalGeneratorRunStep step in run.TrackedOutputSteps["SourceOutput"])
        {
            (IncrementalGeneratorRunStep source, int index) = step.Inputs.Single();
            string key = source.Outputs[index].Value switch
            {
                MessageTypeResult result => result.Spec!.TypeName,
                System.Collections.Immutable.ImmutableArray<OrphanHeaderResult> orphans => orphans.Single().Stubs!.TypeName,
                var other => other.GetType().Name,
            };
            reasons.Add(key, step.Outputs.Single().Reason);
        }

        return reasons;
    }

    // The named type's model and output have the given reason; every other type's are Cached or Unchanged.
    private static void AssertOnlyChanged(GeneratorRunResult run, string? type, IncrementalStepRunReason expected)
    {
        foreach (Dictionary<string, IncrementalStepRunReason> reasons in new[] { ModelReasons(run), OutputReasons(run) })
        {
            if (type is not null)
            {
                Assert.Equal(expected, reasons[type]);
                reasons.Remove(type);
            }

            Assert.NotEmpty(reasons);
            foreach ((string other, IncrementalStepRunReason reason) in reasons)
            {
                Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{other}: {reason}");
            }
        }
    }

    [Fact]
    public void No_step_output_holds_a_symbol_syntax_node_or_compilation()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(RequestFile, ResponseFile, OrphanFile);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();

        int visited = 0;
        foreach (string step in TrackedSteps)
        {
            foreach (IncrementalGeneratorRunStep run in result.TrackedSteps[step])
            {
                foreach ((object value, _) in run.Outputs)
                {
                    AssertHoldsNoRoslynObjects(value, step, new HashSet<object>(ReferenceEqualityComparer.Instance));
                    visited++;
                }
            }
        }

        Assert.True(visited >= 3, "the walk saw the request and response models and the orphan diagnostic");
    }

    // Walks the object graph of a step output by reflection (test code only) and fails on anything that would pin
    // a compilation in memory or defeat value equality.
    private static void AssertHoldsNoRoslynObjects(object? value, string path, HashSet<object> seen)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || !seen.Add(value))
        {
            return;
        }

        Assert.False(value is ISymbol, $"{path} holds a symbol");
        Assert.False(value is SyntaxNode, $"{path} holds a syntax node");
        Assert.False(value is Compilation, $"{path} holds a compilation");
        Assert.False(value is SemanticModel, $"{path} holds a semantic model");
        Assert.False(value is Location, $"{path} holds a Location");

        if (value is IEnumerable sequence)
        {
            int i = 0;
            foreach (object? item in sequence)
            {
                AssertHoldsNoRoslynObjects(item, $"{path}[{i++}]", seen);
            }

            return;
        }

        foreach (FieldInfo field in value.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            AssertHoldsNoRoslynObjects(field.GetValue(value), path + "." + field.Name, seen);
        }
    }
}
