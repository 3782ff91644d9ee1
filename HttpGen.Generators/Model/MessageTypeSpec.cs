using HttpGen.Generators.Helpers;

namespace HttpGen.Generators.Model;

internal enum MessageKind
{
    Request,
    Response,
}

/// <summary>How a header property exposes its value.</summary>
internal enum HeaderValueKind
{
    /// <summary>ReadOnlySpan&lt;byte&gt;, empty when absent.</summary>
    Span,
    /// <summary>HttpGen.HeaderValue.</summary>
    HeaderValue,
    /// <summary>string?, decoded on first read.</summary>
    String,
    /// <summary>long?, strict digits.</summary>
    Int64,
    /// <summary>int?, strict digits.</summary>
    Int32,
    /// <summary>bool: whether the header was present.</summary>
    Presence,
    /// <summary>DateTimeOffset?, an HTTP-date parsed on first read (null when absent or invalid).</summary>
    Date,
    /// <summary>HttpGen.Caching.CacheControl, the directives of every line of the header.</summary>
    CacheControl,
    /// <summary>HttpGen.Caching.EntityTag, one entity tag (default when absent or invalid).</summary>
    EntityTag,
}

/// <summary>What a user declared on one message type: everything the emitter needs, and nothing from Roslyn.</summary>
/// <param name="HintName">The generated file's name, unique in the compilation (see Parser.HintName).</param>
/// <param name="Namespace">The containing namespace as C# source (keywords escaped), or null for the global namespace.</param>
/// <param name="TypeName">The type's name as a C# identifier (a keyword is escaped with '@').</param>
internal sealed record MessageTypeSpec(
    string HintName,
    string? Namespace,
    string TypeName,
    MessageKind Kind,
    OptionsSpec Options,
    EquatableArray<HeaderPropertySpec> Headers);

/// <summary>Limits and switches from the message attribute; 0 means "keep the runtime default".</summary>
internal sealed record OptionsSpec(
    int MaxRequestLineLength,
    int MaxHeaderBlockLength,
    int MaxHeaderCount,
    int MaxFieldNameLength,
    int MaxFieldValueLength,
    bool AllowBareLineFeed,
    bool EnumerateAllHeaders)
{
    public bool IsDefault =>
        MaxRequestLineLength == 0 && MaxHeaderBlockLength == 0 && MaxHeaderCount == 0 && MaxFieldNameLength == 0 && MaxFieldValueLength == 0 && !AllowBareLineFeed;
}

/// <summary>One [HttpHeader] property.</summary>
/// <param name="PropertyName">The property's name.</param>
/// <param name="HeaderName">The field name as written in the attribute.</param>
/// <param name="Id">The id the name matcher returns: a framing header's fixed id, or a declared one.</param>
/// <param name="Bit">The property's bit in the presence mask.</param>
/// <param name="ValueKind">How the value is exposed.</param>
/// <param name="TypeName">The property type as the user wrote it, fully qualified, for the implementing declaration
/// (a string is always <c>string?</c>: the generated file enables nullable annotations, and the value can be absent).</param>
/// <param name="Modifiers">The modifiers both declarations must share: accessibility, and <c>new</c> when declared.</param>
/// <param name="HasSetter">Whether the user declared a setter (the value can then be set before writing).</param>
/// <param name="GetterModifier">The get accessor's own accessibility with a trailing space (<c>"private "</c>), or empty.</param>
/// <param name="SetterModifier">The set accessor's own accessibility with a trailing space, or empty.</param>
internal sealed record HeaderPropertySpec(
    string PropertyName,
    string HeaderName,
    int Id,
    int Bit,
    HeaderValueKind ValueKind,
    string TypeName,
    string Modifiers,
    bool HasSetter,
    string GetterModifier,
    string SetterModifier)
{
    /// <summary>Content-Length, Transfer-Encoding and Connection are written from BodyFraming and KeepAlive, never as declared values.</summary>
    public bool IsFraming => Id is 1 or 2 or 3;
}

/// <summary>
/// The result of looking at one annotated type: a spec to emit when the type is usable; otherwise its diagnostics and,
/// when the type can be reopened, the stubs that keep the HTTPGEN errors the only ones.
/// </summary>
internal sealed record MessageTypeResult(MessageTypeSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics, StubTypeSpec? Stubs);
