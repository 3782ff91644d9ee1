using Microsoft.CodeAnalysis;
using Xunit;

namespace HttpGen.Tests.Generator;

/// <summary>One test per diagnostic: the misuse is reported with its id, at the right place, and nothing is generated.</summary>
public class DiagnosticTests
{
    private static Diagnostic Single(string source, string expectedId)
    {
        var (result, _) = GeneratorHarness.Run("using System;\nusing HttpGen;\n" + source);
        Diagnostic diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(expectedId, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal("Source0.cs", diagnostic.Location.GetLineSpan().Path);
        LastSource = "using System;\nusing HttpGen;\n" + source;
        return diagnostic;
    }

    [ThreadStatic]
    private static string? LastSource;

    // The diagnostic's location is rebuilt from value data in the output step (a model may not hold a Location),
    // so it is a file location: read the text it covers from the source that was compiled.
    private static string Located(Diagnostic diagnostic) =>
        LastSource!.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length);

    [Fact]
    public void HTTPGEN001_type_not_partial()
    {
        Diagnostic d = Single("[HttpRequest] public class R { }", "HTTPGEN001");
        Assert.Equal("R", Located(d));
        Assert.Contains("partial class R", d.GetMessage());
    }

    [Fact]
    public void HTTPGEN002_nested_type()
    {
        Diagnostic d = Single("public partial class Outer { [HttpRequest] public partial class R { } }", "HTTPGEN002");
        Assert.Contains("nested in 'Outer'", d.GetMessage());
    }

    [Fact]
    public void HTTPGEN002_generic_type()
    {
        Diagnostic d = Single("[HttpRequest] public partial class R<T> { }", "HTTPGEN002");
        Assert.Contains("generic", d.GetMessage());
    }

    [Fact]
    public void HTTPGEN003_record()
    {
        Diagnostic d = Single("[HttpRequest] public partial record R { }", "HTTPGEN003");
        Assert.Contains("a record", d.GetMessage());
    }

    [Fact]
    public void HTTPGEN003_static_class()
    {
        Diagnostic d = Single("[HttpRequest] public static partial class R { }", "HTTPGEN003");
        Assert.Contains("static", d.GetMessage());
    }

    [Fact]
    public void HTTPGEN004_property_not_partial()
    {
        Diagnostic d = Single("[HttpRequest] public partial class R { [HttpHeader(\"Host\")] public HeaderValue Host { get; } }", "HTTPGEN004");
        Assert.Equal("Host", Located(d));
    }

    [Fact]
    public void HTTPGEN005_init_accessor()
    {
        Diagnostic d = Single("[HttpRequest] public partial class R { [HttpHeader(\"Host\")] public partial HeaderValue Host { get; init; } }", "HTTPGEN005");
        Assert.Contains("not 'init'", d.GetMessage());
    }

    [Fact]
    public void HTTPGEN005_static_property()
    {
        Single("[HttpRequest] public partial class R { [HttpHeader(\"Host\")] public static partial HeaderValue Host { get; } }", "HTTPGEN005");
    }

    [Fact]
    public void HTTPGEN006_unsupported_type()
    {
        Diagnostic d = Single("[HttpRequest] public partial class R { [HttpHeader(\"Date\")] public partial DateTime Date { get; } }", "HTTPGEN006");
        // The whole text, as docs/diagnostics.md gives it: it lists every type a header property can have.
        Assert.Equal(
            "Property 'Date' has type 'System.DateTime', which cannot hold a header value: use ReadOnlySpan<byte>, HeaderValue, "
            + "string?, long?, int?, bool, DateTimeOffset?, CacheControl or EntityTag",
            d.GetMessage());
    }

    [Theory]
    [InlineData("DateTimeOffset", "System.DateTimeOffset")]
    [InlineData("HttpGen.Caching.CacheControl?", "HttpGen.Caching.CacheControl?")]
    [InlineData("DateTime?", "System.DateTime?")]
    [InlineData("HttpGen.Caching.EntityTagList", "HttpGen.Caching.EntityTagList")]
    public void HTTPGEN006_typed_value_in_a_form_without_absent(string type, string shown)
    {
        // DateTimeOffset could not say "absent or invalid" (DateTimeOffset? can); CacheControl says it with no directives;
        // DateTime has no offset, and a list of entity tags is not one of the typed values.
        Diagnostic d = Single("[HttpRequest] public partial class R { [HttpHeader(\"Date\")] public partial " + type + " Date { get; } }", "HTTPGEN006");
        Assert.Equal(type, Located(d));
        Assert.Contains("'" + shown + "'", d.GetMessage());
        Assert.Contains("DateTimeOffset?, CacheControl or EntityTag", d.GetMessage());
    }

    [Fact]
    public void HTTPGEN006_non_nullable_string()
    {
        Single("[HttpRequest] public partial class R { [HttpHeader(\"Accept\")] public partial string Accept { get; } }", "HTTPGEN006");
    }

    [Theory]
    [InlineData("Content Type")]
    [InlineData("")]
    [InlineData("X-Header:")]
    [InlineData("Caf\u00e9")]
    public void HTTPGEN007_invalid_header_name(string name)
    {
        Diagnostic d = Single("[HttpRequest] public partial class R { [HttpHeader(\"" + name + "\")] public partial HeaderValue H { get; } }", "HTTPGEN007");
        Assert.Equal("\"" + name + "\"", Located(d));
    }

    [Fact]
    public void HTTPGEN008_same_header_twice_ignoring_case()
    {
        Diagnostic d = Single("[HttpRequest] public partial class R { [HttpHeader(\"Accept\")] public partial HeaderValue A { get; } [HttpHeader(\"ACCEPT\")] public partial HeaderValue B { get; } }", "HTTPGEN008");
        Assert.Equal("B", Located(d));
        Assert.Contains("'A'", d.GetMessage());
    }

    [Fact]
    public void HTTPGEN009_reserved_member_name()
    {
        Diagnostic d = Single("[HttpRequest] public partial class R { [HttpHeader(\"X-Method\")] public partial HeaderValue Method { get; } }", "HTTPGEN009");
        Assert.Contains("'Method'", d.GetMessage());
    }

    [Fact]
    public void HTTPGEN009_reserved_method_name()
    {
        Single("[HttpRequest] public partial class R { public void Reset() { } }", "HTTPGEN009");
    }

    [Fact]
    public void HTTPGEN010_header_outside_message_type()
    {
        Diagnostic d = Single("public partial class R { [HttpHeader(\"Host\")] public partial HeaderValue Host { get; } }", "HTTPGEN010");
        Assert.Equal("Host", Located(d));
    }

    [Fact]
    public void HTTPGEN011_request_and_response()
    {
        Single("[HttpRequest, HttpResponse] public partial class R { }", "HTTPGEN011");
    }

    [Fact]
    public void HTTPGEN012_negative_limit()
    {
        Diagnostic d = Single("[HttpRequest(MaxHeaderCount = -1)] public partial class R { }", "HTTPGEN012");
        Assert.Contains("MaxHeaderCount", d.GetMessage());
    }

    [Fact]
    public void HTTPGEN013_too_many_headers()
    {
        var properties = string.Concat(Enumerable.Range(0, 65).Select(i => $"[HttpHeader(\"X-H{i}\")] public partial bool H{i} {{ get; }}\n"));
        Diagnostic d = Single("[HttpRequest] public partial class R {\n" + properties + "}", "HTTPGEN013");
        Assert.Contains("65", d.GetMessage());
    }

    [Theory]
    [InlineData("Transfer-Encoding", "BodyFraming")]
    [InlineData("connection", "KeepAlive")]
    public void HTTPGEN014_framing_header_with_setter(string header, string instead)
    {
        Diagnostic d = Single("[HttpResponse] public partial class R { [HttpHeader(\"" + header + "\")] public partial HeaderValue H { get; set; } }", "HTTPGEN014");
        Assert.Contains("set " + instead + " instead", d.GetMessage());
    }

    [Fact]
    public void HTTPGEN015_no_parameterless_constructor()
    {
        Diagnostic d = Single("[HttpRequest] public partial class R { public R(int x) { } }", "HTTPGEN015");
        Assert.Contains("parameterless constructor", d.GetMessage());
    }

    [Fact]
    public void HTTPGEN016_file_local_type()
    {
        Diagnostic d = Single("[HttpRequest] file partial class R { }", "HTTPGEN016");
        Assert.Equal("R", Located(d));
        Assert.Contains("remove 'file'", d.GetMessage());
    }

    [Fact]
    public void HTTPGEN017_abstract_type()
    {
        Diagnostic d = Single("[HttpResponse] public abstract partial class R { }", "HTTPGEN017");
        Assert.Equal("R", Located(d));
        Assert.Contains("remove 'abstract'", d.GetMessage());
    }

    [Theory]
    [InlineData("string?")]
    [InlineData("HeaderValue")]
    [InlineData("ReadOnlySpan<byte>")]
    [InlineData("bool")]
    public void HTTPGEN018_settable_content_length_that_is_not_a_number(string type)
    {
        Diagnostic d = Single("[HttpResponse] public partial class R { [HttpHeader(\"Content-Length\")] public partial " + type + " L { get; set; } }", "HTTPGEN018");
        Assert.Equal("set", Located(d));
        Assert.Contains("declare it 'long?'", d.GetMessage());
    }

    [Fact]
    public void Header_properties_that_differ_only_in_case_are_accepted()
    {
        // HTTPGEN019 reported these while the generated fields were named after the property with its first letter lowered.
        var (result, compilation) = GeneratorHarness.Run("using HttpGen;\n[HttpRequest] public partial class R { [HttpHeader(\"X-A\")] public partial bool XA { get; } [HttpHeader(\"X-B\")] public partial bool xA { get; } }");
        Assert.Empty(result.Diagnostics);
        Assert.Empty(compilation.Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    [Fact]
    public void HTTPGEN020_inherited_member_with_a_generated_name()
    {
        Diagnostic d = Single("public class B { public int Version => 1; protected void Reset() { } private int Error; } [HttpRequest] public partial class R : B { }", "HTTPGEN020");
        Assert.Equal("R", Located(d));
        Assert.Contains("'R' inherits 'Version', 'Reset' from 'B'", d.GetMessage()); // private members are not inherited
    }

    [Fact]
    public void Private_parameterless_constructor_is_enough()
    {
        var (result, compilation) = GeneratorHarness.Run("using HttpGen;\n[HttpRequest] public partial class R { private R() { } public R(int x) { } }");
        Assert.Empty(result.Diagnostics);
        Assert.Empty(compilation.Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void Every_descriptor_has_a_test_and_a_docs_entry()
    {
        string docs = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "diagnostics.md"));
        string tests = File.ReadAllText(Path.Combine(RepositoryRoot(), "HttpGen.Tests", "Generator", "DiagnosticTests.cs"));
        string unshipped = File.ReadAllText(Path.Combine(RepositoryRoot(), "HttpGen.Generators", "AnalyzerReleases.Unshipped.md"));
        Assert.NotEmpty(HttpGen.Generators.DiagnosticDescriptors.All);
        foreach (DiagnosticDescriptor descriptor in HttpGen.Generators.DiagnosticDescriptors.All)
        {
            string id = descriptor.Id;
            Assert.Contains("## " + id, docs);
            Assert.Contains("void " + id + "_", tests);
            Assert.Contains(id + " |", unshipped);
        }
    }

    internal static string RepositoryRoot([System.Runtime.CompilerServices.CallerFilePath] string file = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, "..", ".."));
}
