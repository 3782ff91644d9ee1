using System.Collections;
using System.Reflection;
using HttpGen.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace HttpGen.Tests.Generator;

/// <summary>The pipeline caches: an unrelated edit re-runs nothing, and no step output holds a symbol or syntax.</summary>
public class IncrementalTests
{
    private const string Source = """
        using System;
        using HttpGen;
        namespace Shop;
        [HttpRequest]
        public partial class OrderRequest
        {
            [HttpHeader("Host")] public partial ReadOnlySpan<byte> Host { get; }
            [HttpHeader("X-Request-Id")] public partial HeaderValue RequestId { get; }
        }
        [HttpResponse]
        public partial class OrderResponse { }
        public partial class NotAMessage { [HttpHeader("X")] public partial bool X { get; } }
        """;

    private static readonly string[] TrackedSteps = { TrackingNames.RequestTypes, TrackingNames.ResponseTypes, TrackingNames.OrphanHeaders };

    [Fact]
    public void Unrelated_edit_leaves_every_step_cached()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(Source);
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
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(Source);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        SyntaxTree tree = compilation.SyntaxTrees.Single();
        SyntaxTree changed = tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(
            Source.Replace("X-Request-Id", "X-Correlation-Id"), System.Text.Encoding.UTF8));
        driver = driver.RunGenerators(compilation.ReplaceSyntaxTree(tree, changed));
        GeneratorRunResult result = driver.GetRunResult().Results.Single();

        IncrementalStepRunReason reason = result.TrackedSteps[TrackingNames.RequestTypes].Single().Outputs.Single().Reason;
        Assert.Equal(IncrementalStepRunReason.Modified, reason);
        Assert.Contains("X-Correlation-Id", result.GeneratedSources.Single(s => s.HintName == "Shop.OrderRequest.g.cs").SourceText.ToString());
    }

    [Fact]
    public void No_step_output_holds_a_symbol_syntax_node_or_compilation()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(Source);
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
