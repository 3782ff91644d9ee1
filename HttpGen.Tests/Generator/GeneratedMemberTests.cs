using System.Text.RegularExpressions;
using HttpGen.Generators;
using HttpGen.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace HttpGen.Tests.Generator;

/// <summary>
/// The names HTTPGEN009 reserves are exactly the names the emitter generates, and docs/diagnostics.md lists exactly
/// those: when the emitter adds or drops a member, these tests say which list to change.
/// </summary>
public class GeneratedMemberTests
{
    private const string Request = """
        using System;
        using HttpGen;
        [HttpRequest(EnumerateAllHeaders = true, MaxHeaderCount = 10)]
        public partial class R
        {
            [HttpHeader("Host")] public partial ReadOnlySpan<byte> Host { get; set; }
            [HttpHeader("Content-Length")] public partial long? ContentLength { get; set; }
            [HttpHeader("Accept")] public partial string? Accept { get; set; }
            [HttpHeader("X-Id")] public partial HeaderValue Id { get; }
            [HttpHeader("DNT")] public partial bool DoNotTrack { get; }
            [HttpHeader("Max-Forwards")] public partial int? MaxForwards { get; }
        }
        """;

    private const string Response = """
        using HttpGen;
        [HttpResponse(EnumerateAllHeaders = true)]
        public partial class R
        {
            [HttpHeader("ETag")] public partial HeaderValue ETag { get; set; }
            [HttpHeader("Content-Type")] public partial string? ContentType { get; set; }
            [HttpHeader("Content-Length")] public partial long? ContentLength { get; set; }
            [HttpHeader("Retry-After")] public partial int? RetryAfter { get; set; }
        }
        """;

    [Theory]
    [InlineData(Request, true)]
    [InlineData(Response, false)]
    public void Every_generated_member_name_is_reserved_and_every_reserved_name_is_generated(string source, bool request)
    {
        MessageKind kind = request ? MessageKind.Request : MessageKind.Response;
        var (result, diagnostics) = GeneratorHarness.RunAll(GeneratorHarness.CreateCompilation(source));
        Assert.Empty(diagnostics);
        var root = (CompilationUnitSyntax)Assert.Single(result.GeneratedSources).SyntaxTree.GetRoot();
        ClassDeclarationSyntax type = root.DescendantNodes().OfType<ClassDeclarationSyntax>().Single();

        var declaredHeaders = new HashSet<string>();
        var generated = new HashSet<string>();
        foreach (MemberDeclarationSyntax member in type.Members)
        {
            switch (member)
            {
                case PropertyDeclarationSyntax { ExplicitInterfaceSpecifier: null } property when property.Modifiers.Any(SyntaxKind.PartialKeyword):
                    declaredHeaders.Add(property.Identifier.ValueText);
                    break;
                case PropertyDeclarationSyntax { ExplicitInterfaceSpecifier: null } property:
                    generated.Add(property.Identifier.ValueText);
                    break;
                case MethodDeclarationSyntax { ExplicitInterfaceSpecifier: null } method:
                    generated.Add(method.Identifier.ValueText);
                    break;
                case FieldDeclarationSyntax field:
                    generated.UnionWith(field.Declaration.Variables.Select(v => v.Identifier.ValueText));
                    break;
                case BaseTypeDeclarationSyntax nested:
                    generated.Add(nested.Identifier.ValueText);
                    break;
                case PropertyDeclarationSyntax or MethodDeclarationSyntax:
                    break; // explicit implementations of the runtime's interface: no name of their own on the type
                default:
                    Assert.Fail("A generated member of an unexpected kind: " + member.Kind());
                    break;
            }
        }

        Assert.Equal(kind == MessageKind.Request ? 6 : 4, declaredHeaders.Count);
        List<string> reserved = HttpGenGenerator.Parser.PublicMembers(kind, enumerateAllHeaders: true);
        var unprefixed = generated.Where(name => !name.StartsWith(HttpGenGenerator.Parser.ReservedPrefix, StringComparison.Ordinal)).Order().ToList();
        Assert.Equal(reserved.Order(), unprefixed);
        Assert.Contains(generated, name => name.StartsWith(HttpGenGenerator.Parser.ReservedPrefix, StringComparison.Ordinal));
    }

    [Fact]
    public void Docs_list_exactly_the_reserved_names()
    {
        string docs = File.ReadAllText(Path.Combine(DiagnosticTests.RepositoryRoot(), "docs", "diagnostics.md"));
        int start = docs.IndexOf("## HTTPGEN009", StringComparison.Ordinal);
        string section = docs.Substring(start, docs.IndexOf("\n## ", start + 1, StringComparison.Ordinal) - start);

        // Each list item, with its continuation lines: "- label: `Name`, `Name`;".
        var items = new Dictionary<string, List<string>>();
        foreach (Match item in Regex.Matches(section, @"^- (?<label>[^:\n]+): (?<names>.*(?:\n  .*)*)", RegexOptions.Multiline))
        {
            items[item.Groups["label"].Value] = Regex.Matches(item.Groups["names"].Value, "`([^`]+)`").Select(m => m.Groups[1].Value).ToList();
        }

        Assert.Equal(HttpGenGenerator.Parser.CommonMembers, items["on every message type"]);
        Assert.Equal(HttpGenGenerator.Parser.RequestMembers, items["on `[HttpRequest]` types"]);
        Assert.Equal(HttpGenGenerator.Parser.ResponseMembers, items["on `[HttpResponse]` types"]);
        Assert.Equal(new[] { HttpGenGenerator.Parser.EnumerateAllHeadersMember }, items["with `EnumerateAllHeaders = true`"]);
        Assert.Equal(HttpGenGenerator.Parser.ReservedPrefix, items["private members"][0]);
        Assert.All(items["private members"], name => Assert.StartsWith(HttpGenGenerator.Parser.ReservedPrefix, name));
        Assert.Equal(5, items.Count);
    }
}
