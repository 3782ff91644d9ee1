using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace HttpGen.Tests.Generator;

/// <summary>
/// Every misuse, compiled as a user would (strict mode, every warning wave, nullable enabled or disabled), gives
/// exactly the diagnostics marked in its source and nothing else: one HTTPGEN error at the place to change, no error
/// or warning in generated code, no cascade on valid lines. A case's source marks each expected diagnostic as
/// <c>{|ID:text|}</c> (or <c>{|ID1,ID2:text|}</c>) around the exact text it must cover. A few compiler errors are
/// marked too: those the compiler reports on the user's own code whatever a generator does (docs/diagnostics.md).
/// </summary>
public class MisuseTests
{
    private const string Usings = "using System;\nusing HttpGen;\n";

    private static readonly Dictionary<string, string> Cases = new()
    {
        ["HTTPGEN001 class not partial"] = """
            [HttpRequest] public class {|HTTPGEN001:R|} { }
            """,
        ["HTTPGEN001 class not partial, with header properties (CS0751 and CS9248 are the compiler's own)"] = """
            [HttpRequest] public class {|HTTPGEN001:R|} { [HttpHeader("Host")] public partial HeaderValue {|CS0751,CS9248:Host|} { get; } }
            """,
        ["HTTPGEN002 nested"] = """
            public partial class Outer { [HttpRequest] public partial class {|HTTPGEN002:R|} { [HttpHeader("Host")] public partial HeaderValue Host { get; } } }
            """,
        ["HTTPGEN002 nested in a type that is not partial (nothing can implement the property)"] = """
            public class Outer { [HttpRequest] public partial class {|HTTPGEN002:R|} { [HttpHeader("Host")] public partial HeaderValue {|CS9248:Host|} { get; } } }
            """,
        ["HTTPGEN002 generic"] = """
            [HttpRequest] public partial class {|HTTPGEN002:R|}<T> where T : class { [HttpHeader("Host")] public partial HeaderValue Host { get; set; } }
            """,
        ["HTTPGEN003 record"] = """
            [HttpRequest] public partial record {|HTTPGEN003:R|} { [HttpHeader("Host")] public partial HeaderValue Host { get; } }
            """,
        ["HTTPGEN003 static class"] = """
            [HttpRequest] public static partial class {|HTTPGEN003:R|} { [HttpHeader("Host")] public static partial HeaderValue Host { get; } }
            """,
        ["HTTPGEN003 struct (CS0592 is the compiler's own)"] = """
            [{|CS0592:HttpRequest|}] public partial struct {|HTTPGEN003:R|} { [HttpHeader("Host")] public partial HeaderValue Host { get; } }
            """,
        ["HTTPGEN004 property not partial"] = """
            [HttpRequest] public partial class R { [HttpHeader("Host")] public HeaderValue {|HTTPGEN004:Host|} { get; } [HttpHeader("Accept")] public partial HeaderValue Accept { get; } }
            """,
        ["HTTPGEN004 property implemented by the user"] = """
            [HttpRequest] public partial class R { [HttpHeader("Host")] public partial HeaderValue {|HTTPGEN004:Host|} { get; } public partial HeaderValue Host => default; }
            """,
        ["HTTPGEN005 init"] = """
            [HttpResponse] public partial class R { [HttpHeader("X-A")] public partial HeaderValue {|HTTPGEN005:A|} { get; init; } }
            """,
        ["HTTPGEN005 static"] = """
            [HttpResponse] public partial class R { [HttpHeader("X-A")] public static partial HeaderValue {|HTTPGEN005:A|} { get; } }
            """,
        ["HTTPGEN005 virtual"] = """
            [HttpResponse] public partial class R { [HttpHeader("X-A")] public virtual partial HeaderValue {|HTTPGEN005:A|} { get; set; } }
            """,
        ["HTTPGEN005 override"] = """
            public class B { public virtual HeaderValue A { get; set; } }
            [HttpResponse] public partial class R : B { [HttpHeader("X-A")] public override partial HeaderValue {|HTTPGEN005:A|} { get; set; } }
            """,
        ["HTTPGEN005 sealed override"] = """
            public class B { public virtual HeaderValue A { get; set; } }
            [HttpResponse] public partial class R : B { [HttpHeader("X-A")] public sealed override partial HeaderValue {|HTTPGEN005:A|} { get; set; } }
            """,
        ["HTTPGEN005 abstract (CS0750 and CS0513 are the compiler's own)"] = """
            [HttpResponse] public partial class R { [HttpHeader("X-A")] public abstract partial HeaderValue {|HTTPGEN005,CS0750:A|} { {|CS0513:get|}; } }
            """,
        ["HTTPGEN005 required"] = """
            [HttpResponse] public partial class R { [HttpHeader("X-A")] public required partial HeaderValue {|HTTPGEN005:A|} { get; set; } }
            """,
        ["HTTPGEN005 ref return"] = """
            [HttpResponse] public partial class R { [HttpHeader("X-A")] public partial ref HeaderValue {|HTTPGEN005:A|} { get; } }
            """,
        ["HTTPGEN005 indexer"] = """
            [HttpResponse] public partial class R { [HttpHeader("X-A")] public partial HeaderValue {|HTTPGEN005:this|}[int index] { get; } }
            """,
        ["HTTPGEN005 set only"] = """
            [HttpResponse] public partial class R { [HttpHeader("X-A")] public partial HeaderValue {|HTTPGEN005:A|} { set; } }
            """,
        ["HTTPGEN006 DateTime"] = """
            [HttpRequest] public partial class R { [HttpHeader("Date")] public partial {|HTTPGEN006:DateTime|} Date { get; } }
            """,
        ["HTTPGEN006 DateTimeOffset without ?"] = """
            [HttpResponse] public partial class R { [HttpHeader("Last-Modified")] public partial {|HTTPGEN006:DateTimeOffset|} LastModified { get; set; } }
            """,
        ["HTTPGEN006 nullable CacheControl"] = """
            [HttpResponse] public partial class R { [HttpHeader("Cache-Control")] public partial {|HTTPGEN006:HttpGen.Caching.CacheControl?|} CacheControl { get; } }
            """,
        ["HTTPGEN006 DateTime?"] = """
            [HttpRequest] public partial class R { [HttpHeader("If-Modified-Since")] public partial {|HTTPGEN006:DateTime?|} IfModifiedSince { get; set; } }
            """,
        ["HTTPGEN006 EntityTagList"] = """
            [HttpRequest] public partial class R { [HttpHeader("If-None-Match")] public partial {|HTTPGEN006:HttpGen.Caching.EntityTagList|} IfNoneMatch { get; } }
            """,
        ["HTTPGEN006 long without ?"] = """
            [HttpRequest] public partial class R { [HttpHeader("X-Count")] public partial {|HTTPGEN006:long|} Count { get; } }
            """,
        ["HTTPGEN006 string without ? where nullable is enabled"] = """
            [HttpRequest] public partial class R { [HttpHeader("Accept")] public partial {|HTTPGEN006:string|} Accept { get; } }
            """,
        ["HTTPGEN007 invalid header name"] = """
            [HttpRequest] public partial class R { [HttpHeader({|HTTPGEN007:"Content Type"|})] public partial HeaderValue ContentType { get; } }
            """,
        ["HTTPGEN008 header bound twice"] = """
            [HttpRequest] public partial class R { [HttpHeader("Accept")] public partial HeaderValue A { get; } [HttpHeader("ACCEPT")] public partial HeaderValue {|HTTPGEN008:B|} { get; } }
            """,
        ["HTTPGEN009 header property named like a generated member"] = """
            [HttpRequest] public partial class R { [HttpHeader("X-Method")] public partial HeaderValue {|HTTPGEN009:Method|} { get; } }
            """,
        ["HTTPGEN009 method named like a generated member"] = """
            [HttpRequest] public partial class R { public void {|HTTPGEN009:Reset|}() { } [HttpHeader("Host")] public partial HeaderValue Host { get; } }
            """,
        ["HTTPGEN009 nested type named like the generated header struct"] = """
            [HttpResponse] public partial class R { public struct {|HTTPGEN009:__DeclaredHeaders|} { } }
            """,
        ["HTTPGEN009 field named like a generated field"] = """
            [HttpResponse] public partial class R { public int {|HTTPGEN009:__message|}; [HttpHeader("X-A")] public partial bool A { get; } }
            """,
        ["HTTPGEN009 Headers with EnumerateAllHeaders"] = """
            [HttpRequest(EnumerateAllHeaders = true)] public partial class R { public int {|HTTPGEN009:Headers|} => 0; }
            """,
        ["HTTPGEN009 type named like a generated member"] = """
            [HttpResponse] public partial class {|HTTPGEN009:Options|} { [HttpHeader("X-A")] public partial bool A { get; } }
            """,
        ["HTTPGEN010 header outside a message type"] = """
            public partial class R
            {
                [HttpHeader("Host")] public partial HeaderValue {|HTTPGEN010:Host|} { get; }
                [HttpHeader("Accept")] public partial string? {|HTTPGEN010:Accept|} { get; private set; }
            }
            public partial class R { [HttpHeader("X-A")] public partial bool {|HTTPGEN010:A|} { get; } }
            """,
        ["HTTPGEN011 request and response"] = """
            [HttpRequest, HttpResponse] public partial class {|HTTPGEN011:R|} { [HttpHeader("Host")] public partial HeaderValue Host { get; } }
            """,
        ["HTTPGEN012 negative limit"] = """
            [HttpRequest({|HTTPGEN012:MaxHeaderCount = -1|})] public partial class R { [HttpHeader("Host")] public partial HeaderValue Host { get; } }
            """,
        ["HTTPGEN013 too many headers"] = "[HttpRequest] public partial class {|HTTPGEN013:R|}\n{\n"
            + string.Concat(Enumerable.Range(0, 65).Select(i => $"    [HttpHeader(\"X-H{i}\")] public partial bool H{i} {{ get; }}\n")) + "}",
        ["HTTPGEN014 Transfer-Encoding with a setter"] = """
            [HttpResponse] public partial class R { [HttpHeader("Transfer-Encoding")] public partial HeaderValue TransferEncoding { get; {|HTTPGEN014:set|}; } }
            """,
        ["HTTPGEN014 Connection with a setter"] = """
            [HttpRequest] public partial class R { [HttpHeader("Connection")] public partial string? Connection { get; {|HTTPGEN014:set|}; } }
            """,
        ["HTTPGEN015 no parameterless constructor"] = """
            [HttpRequest] public partial class {|HTTPGEN015:R|} { public R(int x) { } [HttpHeader("Host")] public partial HeaderValue Host { get; } }
            """,
        ["HTTPGEN016 file-local class"] = """
            [HttpRequest] file partial class {|HTTPGEN016:R|} { }
            """,
        ["HTTPGEN016 file-local class with a header property (no other file can implement it)"] = """
            [HttpRequest] file partial class {|HTTPGEN016:R|} { [HttpHeader("Host")] public partial HeaderValue {|CS9248:Host|} { get; } }
            """,
        ["HTTPGEN017 abstract class"] = """
            [HttpRequest] public abstract partial class {|HTTPGEN017:R|} { [HttpHeader("Host")] public partial HeaderValue Host { get; } }
            """,
        ["HTTPGEN018 settable string Content-Length"] = """
            [HttpResponse] public partial class R { [HttpHeader("Content-Length")] public partial string? ContentLength { get; {|HTTPGEN018:set|}; } }
            """,
        ["HTTPGEN018 settable DateTimeOffset? Content-Length"] = """
            [HttpResponse] public partial class R { [HttpHeader("Content-Length")] public partial DateTimeOffset? ContentLength { get; {|HTTPGEN018:set|}; } }
            """,
        ["HTTPGEN018 settable HeaderValue Content-Length"] = """
            [HttpRequest] public partial class R { [HttpHeader("content-length")] public partial HeaderValue ContentLength { get; {|HTTPGEN018:set|}; } }
            """,
        ["HTTPGEN020 inherited member"] = """
            public class B { public void Reset() { } }
            [HttpResponse] public partial class {|HTTPGEN020:R|} : B { [HttpHeader("X-A")] public partial bool A { get; } }
            """,
        ["HTTPGEN020 message type derived from a message type"] = """
            [HttpRequest] public partial class B { }
            [HttpRequest] public partial class {|HTTPGEN020:R|} : B { [HttpHeader("Host")] public partial HeaderValue Host { get; } }
            """,
        ["No HTTPGEN for a missing type (CS0246 and CS9248 are the compiler's own)"] = """
            [HttpRequest] public partial class R { [HttpHeader("Host")] public partial {|CS0246:HeaderValu|} {|CS9248:Host|} { get; } }
            """,
        ["No HTTPGEN for an attribute without its name (CS7036 is the compiler's own)"] = """
            [HttpRequest] public partial class R { [{|CS7036:HttpHeader|}] public partial HeaderValue Host { get; } }
            """,
    };

    // Declarations that are legal C# and must compile cleanly with nullable annotations enabled and disabled.
    private static readonly Dictionary<string, string> ValidCases = new()
    {
        ["keywords as names"] = """
            namespace @event.@class
            {
                [HttpRequest] public partial class @class { [HttpHeader("X-Default")] public partial HeaderValue @default { get; set; } [HttpHeader("X-Int")] public partial int? @int { get; } }
                [HttpResponse] public partial class @struct { [HttpHeader("X-Bool")] public partial bool @bool { get; set; } }
            }
            """,
        ["accessor accessibility and new"] = """
            public class B { public HeaderValue Tag { get; set; } }
            [HttpResponse] public partial class R : B
            {
                [HttpHeader("X-A")] public partial HeaderValue A { get; private set; }
                [HttpHeader("X-B")] public partial HeaderValue Bee { protected get; set; }
                [HttpHeader("X-C")] internal partial ReadOnlySpan<byte> C { get; private protected set; }
                [HttpHeader("ETag")] public new partial HeaderValue Tag { get; set; }
            }
            """,
        ["setters on request properties"] = """
            [HttpRequest] public partial class R
            {
                [HttpHeader("Host")] public partial ReadOnlySpan<byte> Host { get; set; }
                [HttpHeader("Accept")] public partial HeaderValue Accept { get; set; }
                [HttpHeader("Content-Length")] public partial long? ContentLength { get; set; }
                [HttpHeader("DNT")] public partial bool DoNotTrack { get; set; }
                [HttpHeader("Max-Forwards")] public partial int? MaxForwards { get; set; }
            }
            """,
        ["numeric Content-Length setters"] = """
            [HttpResponse] public partial class R { [HttpHeader("Content-Length")] public partial int? ContentLength { get; set; } }
            [HttpRequest] public partial class Q { [HttpHeader("Content-Length")] public partial HeaderValue ContentLength { get; } }
            """,
        ["names of the helpers generated code had before the runtime took them over"] = """
            [HttpRequest] public partial class R { public struct HeaderSink { } public int MatchHeaderName; public void StoreHeader() { } [HttpHeader("Host")] public partial HeaderValue Host { get; } }
            """,
        ["names reserved only for the other kind, or only with EnumerateAllHeaders"] = """
            [HttpRequest] public partial class R { public int StatusCode { get; set; } public void Headers() { } }
            [HttpResponse] public partial class S { public int Method => 0; public int Path => 0; }
            """,
        ["properties that differ only in the case of their first letter, or are named like the header struct's parameters"] = """
            [HttpResponse] public partial class R
            {
                [HttpHeader("X-A")] public partial HeaderValue Foo { get; set; }
                [HttpHeader("X-B")] public partial HeaderValue foo { get; set; }
                [HttpHeader("X-C")] public partial long? value { get; set; }
                [HttpHeader("X-D")] public partial ReadOnlySpan<byte> range { get; set; }
                [HttpHeader("X-E")] public partial bool writer { get; set; }
                [HttpHeader("X-F")] public partial HeaderValue head { get; set; }
                [HttpHeader("X-G")] public partial int? id { get; }
                [HttpHeader("X-H")] public partial HeaderValue name { get; }
                [HttpHeader("X-I")] public partial HeaderValue Declared { get; }
                [HttpHeader("X-J")] public partial HeaderValue MatchName { get; }
                [HttpHeader("X-K")] public partial HeaderValue OnHeader { get; }
                [HttpHeader("X-L")] public partial HeaderValue Write { get; }
                [HttpHeader("X-M")] public partial HeaderValue HasHost { get; }
                [HttpHeader("X-N")] public partial HeaderValue Parser { get; }
            }
            """,
        ["typed values, on requests and responses, settable or not, on names they make little sense for"] = """
            [HttpRequest] public partial class Q
            {
                [HttpHeader("If-Modified-Since")] public partial DateTimeOffset? IfModifiedSince { get; set; }
                [HttpHeader("Cache-Control")] public partial HttpGen.Caching.CacheControl CacheControl { get; }
                [HttpHeader("If-Range")] public partial HttpGen.Caching.EntityTag IfRange { get; set; }
                [HttpHeader("Host")] public partial DateTimeOffset? Host { get; }
            }
            [HttpResponse] public partial class R
            {
                [HttpHeader("Date")] public partial DateTimeOffset? Date { get; set; }
                [HttpHeader("CDN-Cache-Control")] public partial HttpGen.Caching.CacheControl CdnCacheControl { get; set; }
                [HttpHeader("ETag")] public partial HttpGen.Caching.EntityTag ETag { get; private set; }
                [HttpHeader("Connection")] public partial HttpGen.Caching.CacheControl Connection { get; }
                [HttpHeader("X-Count")] public partial HttpGen.Caching.EntityTag Count { get; set; }
            }
            """,
        ["lowercase type names (CS8981 is the compiler's own)"] = """
            [HttpRequest] public partial class {|CS8981:foo|} { [HttpHeader("Host")] public partial HeaderValue Host { get; } }
            [HttpRequest] public partial class Foo { [HttpHeader("Host")] public partial HeaderValue Host { get; } }
            """,
    };

    public static TheoryData<string> MisuseNames => new(Cases.Keys);

    public static TheoryData<string, bool> ValidNames
    {
        get
        {
            var data = new TheoryData<string, bool>();
            foreach (string name in ValidCases.Keys)
            {
                data.Add(name, true);
                data.Add(name, false);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(MisuseNames))]
    public void Misuse_gives_exactly_the_marked_diagnostics(string name) => AssertExactDiagnostics(Cases[name], NullableContextOptions.Enable);

    [Theory]
    [MemberData(nameof(ValidNames))]
    public void Legal_declarations_compile_cleanly(string name, bool nullableEnabled) =>
        AssertExactDiagnostics(ValidCases[name], nullableEnabled ? NullableContextOptions.Enable : NullableContextOptions.Disable);

    [Fact]
    public void String_property_in_a_nullable_disabled_context_compiles_without_warnings()
    {
        // Enabled, the same declaration is HTTPGEN006 (see the table); disabled, it is the only way to write it.
        const string source = """
            [HttpRequest] public partial class R { [HttpHeader("Accept")] public partial string Accept { get; } }
            [HttpResponse] public partial class S { [HttpHeader("Content-Type")] public partial string ContentType { get; set; } }
            """;
        AssertExactDiagnostics(source, NullableContextOptions.Disable);
        AssertExactDiagnostics("#nullable disable\n" + source, NullableContextOptions.Enable);
    }

    [Fact]
    public void Every_diagnostic_id_is_in_the_table()
    {
        foreach (DiagnosticDescriptor descriptor in HttpGen.Generators.DiagnosticDescriptors.All)
        {
            Assert.Contains(Cases.Keys, key => key.StartsWith(descriptor.Id + " ", StringComparison.Ordinal));
        }
    }

    private static void AssertExactDiagnostics(string markedSource, NullableContextOptions nullable)
    {
        (string source, List<string> expected) = ParseMarkup(Usings + markedSource);
        var compilation = GeneratorHarness.CreateCompilation(nullable, GeneratorHarness.StrictParseOptions, source);
        var (result, diagnostics) = GeneratorHarness.RunAll(compilation);

        Assert.Null(result.Exception);
        List<string> actual = diagnostics.Select(d => Describe(d, source)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected.Order(StringComparer.Ordinal), actual);
    }

    private static string Describe(Diagnostic diagnostic, string source)
    {
        FileLinePositionSpan span = diagnostic.Location.GetLineSpan();
        if (span.Path != "Source0.cs")
        {
            return $"{diagnostic.Id} in {span.Path}({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1}): {diagnostic.GetMessage()}";
        }

        string text = source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length);
        return Expected(diagnostic.Id, span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1, text);
    }

    private static string Expected(string id, int line, int column, string text) => $"{id} at ({line},{column}) '{text}'";

    /// <summary>Removes the <c>{|ID:text|}</c> marks and returns the plain source with a description of each marked diagnostic.</summary>
    private static (string Source, List<string> Expected) ParseMarkup(string marked)
    {
        var plain = new StringBuilder();
        var expected = new List<string>();
        int line = 1, column = 1;
        for (int i = 0; i < marked.Length;)
        {
            if (marked.AsSpan(i).StartsWith("{|"))
            {
                int colon = marked.IndexOf(':', i);
                int end = marked.IndexOf("|}", colon, StringComparison.Ordinal);
                string text = marked.Substring(colon + 1, end - colon - 1);
                foreach (string id in marked.Substring(i + 2, colon - i - 2).Split(','))
                {
                    expected.Add(Expected(id, line, column, text));
                }

                plain.Append(text);
                column += text.Length;
                i = end + 2;
                continue;
            }

            plain.Append(marked[i]);
            (line, column) = marked[i] == '\n' ? (line + 1, 1) : (line, column + 1);
            i++;
        }

        return (plain.ToString(), expected);
    }
}
