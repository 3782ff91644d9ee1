using Microsoft.CodeAnalysis;

namespace HttpGen.Generators;

/// <summary>Every diagnostic HttpGen reports. Each message says how to fix the problem. Listed in docs/diagnostics.md.</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "HttpGen";

    public static readonly DiagnosticDescriptor TypeNotPartial = Error(
        "HTTPGEN001", "Message type must be partial",
        "'{0}' must be declared partial so that HttpGen can add its parser: write 'partial class {0}'");

    public static readonly DiagnosticDescriptor UnsupportedTypeShape = Error(
        "HTTPGEN002", "Nested and generic message types are not supported",
        "'{0}' is {1}; HttpGen supports non-generic classes declared directly in a namespace: move it out of its containing type and remove its type parameters");

    public static readonly DiagnosticDescriptor NotAClass = Error(
        "HTTPGEN003", "Message type must be a non-static class",
        "'{0}' is {1}; declare it as a non-static 'partial class'");

    public static readonly DiagnosticDescriptor PropertyNotPartial = Error(
        "HTTPGEN004", "Header property must be a partial property without a body",
        "Property '{0}' must be a partial declaration with no body that HttpGen implements, for example 'public partial HeaderValue {0} {{ get; }}'");

    public static readonly DiagnosticDescriptor WrongAccessors = Error(
        "HTTPGEN005", "Header property has the wrong shape",
        "Property '{0}' must be {1}");

    public static readonly DiagnosticDescriptor UnsupportedPropertyType = Error(
        "HTTPGEN006", "Unsupported header property type",
        "Property '{0}' has type '{1}', which cannot hold a header value: use ReadOnlySpan<byte>, HeaderValue, string?, long?, int?, bool, DateTimeOffset?, CacheControl or EntityTag");

    public static readonly DiagnosticDescriptor InvalidHeaderName = Error(
        "HTTPGEN007", "Invalid header field name",
        "'{0}' is not a valid header field name: use a non-empty token of letters, digits and !#$%&'*+-.^_`|~ (for example \"X-Request-Id\")");

    public static readonly DiagnosticDescriptor DuplicateHeader = Error(
        "HTTPGEN008", "Header bound twice",
        "Header '{0}' is already bound to property '{1}' (names compare case-insensitively): remove one of the two bindings");

    public static readonly DiagnosticDescriptor ReservedMemberName = Error(
        "HTTPGEN009", "Member name is reserved by the generated code",
        "'{0}' clashes with a member HttpGen generates on '{1}': rename it (reserved: {2})");

    public static readonly DiagnosticDescriptor HeaderOutsideMessage = Error(
        "HTTPGEN010", "[HttpHeader] outside a message type",
        "Property '{0}' has [HttpHeader] but '{1}' has neither [HttpRequest] nor [HttpResponse]: add one of them to the type, or remove the attribute");

    public static readonly DiagnosticDescriptor RequestAndResponse = Error(
        "HTTPGEN011", "Type is both a request and a response",
        "'{0}' has both [HttpRequest] and [HttpResponse]: a message type describes one direction; split it into two types");

    public static readonly DiagnosticDescriptor InvalidLimit = Error(
        "HTTPGEN012", "Invalid parser limit",
        "{1} on '{0}' is {2}; set it to a value greater than zero, or leave it unset for the default");

    public static readonly DiagnosticDescriptor TooManyHeaders = Error(
        "HTTPGEN013", "Too many declared headers",
        "'{0}' declares {1} headers; at most {2} are supported: use EnumerateAllHeaders = true to read the rest");

    public static readonly DiagnosticDescriptor FramingHeaderSetter = Error(
        "HTTPGEN014", "Framing header cannot be set",
        "Property '{0}' binds {1}, which HttpGen writes from {2}: remove the 'set' accessor and set {2} instead");

    public static readonly DiagnosticDescriptor NoParameterlessConstructor = Error(
        "HTTPGEN015", "Message type needs a parameterless constructor",
        "'{0}' has no parameterless constructor: add one (it may be private) so that the server and client can create instances");

    public static readonly DiagnosticDescriptor FileLocalType = Error(
        "HTTPGEN016", "Message type cannot be file-local",
        "'{0}' is declared 'file'; a file-local type cannot be completed from another file, where HttpGen writes its parser: remove 'file' (make it 'internal' to keep it out of the public API)");

    public static readonly DiagnosticDescriptor AbstractType = Error(
        "HTTPGEN017", "Message type cannot be abstract",
        "'{0}' is abstract, but the server and client create its instances: remove 'abstract' (declare the message on a concrete class)");

    public static readonly DiagnosticDescriptor ContentLengthNotNumeric = Error(
        "HTTPGEN018", "Settable Content-Length must be a number",
        "Property '{0}' sets Content-Length as '{1}'; the length is written from BodyFraming, which only a long? or int? property can set: declare it 'long?', or remove the 'set' accessor");

    // HTTPGEN019 (header properties that differ only in the case of their first letter) is retired: the generated
    // fields are named exactly as the properties now, so 'Foo' and 'foo' no longer clash. The id is not reused.

    public static readonly DiagnosticDescriptor InheritedMemberClash = Error(
        "HTTPGEN020", "Inherited member clashes with the generated code",
        "'{0}' inherits {1} from '{2}', and HttpGen generates members of those names on '{0}': rename them in '{2}', or do not derive '{0}' from '{2}' (a message type cannot derive from another one)");

    internal static readonly DiagnosticDescriptor[] All =
    {
        TypeNotPartial, UnsupportedTypeShape, NotAClass, PropertyNotPartial, WrongAccessors, UnsupportedPropertyType,
        InvalidHeaderName, DuplicateHeader, ReservedMemberName, HeaderOutsideMessage, RequestAndResponse, InvalidLimit,
        TooManyHeaders, FramingHeaderSetter, NoParameterlessConstructor, FileLocalType, AbstractType, ContentLengthNotNumeric,
        InheritedMemberClash,
    };

    public static DiagnosticDescriptor? ById(string id)
    {
        foreach (DiagnosticDescriptor descriptor in All)
        {
            if (descriptor.Id == id)
            {
                return descriptor;
            }
        }

        return null;
    }

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
            helpLinkUri: "https://github.com/httpgen/httpgen/blob/main/docs/diagnostics.md#" + id.ToLowerInvariant());
}
