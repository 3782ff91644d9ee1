namespace HttpGen;

/// <summary>
/// Marks a <c>partial class</c> as an HTTP/1.1 request head. The HttpGen source generator writes a strict,
/// allocation-free parser for it: <c>TryParse</c>, <c>Reset</c>, the request-line members and the declared headers.
/// </summary>
/// <remarks>
/// Limits set here become the type's default <see cref="ParserOptions"/>; a value of 0 (the default) keeps the
/// runtime default from <see cref="ParserOptions.Default"/>. The options can still be replaced at run time.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class HttpRequestAttribute : Attribute
{
    /// <summary>Longest request line accepted, in bytes (414 beyond it). 0 keeps the default of 8 KiB.</summary>
    public int MaxRequestLineLength { get; set; }

    /// <summary>Longest header block accepted, in bytes, blank line included (431 beyond it). 0 keeps the default of 32 KiB.</summary>
    public int MaxHeaderBlockLength { get; set; }

    /// <summary>Most header lines accepted (431 beyond it). 0 keeps the default of 100.</summary>
    public int MaxHeaderCount { get; set; }

    /// <summary>Longest field name accepted, in bytes (431 beyond it). 0 keeps the default of 256.</summary>
    public int MaxFieldNameLength { get; set; }

    /// <summary>Longest field value accepted, in bytes after trimming (431 beyond it). 0 keeps the default of 16 KiB.</summary>
    public int MaxFieldValueLength { get; set; }

    /// <summary>
    /// Lenient switch, off by default: accept a bare LF as the end of the request line and of header lines.
    /// A bare CR is rejected either way.
    /// </summary>
    public bool AllowBareLineFeed { get; set; }

    /// <summary>
    /// When true, the generated type also exposes <c>Headers</c>, a non-allocating enumerator over every header line,
    /// including the ones the type does not declare. Off by default: undeclared headers are then skipped at no cost.
    /// </summary>
    public bool EnumerateAllHeaders { get; set; }
}

/// <summary>
/// Marks a <c>partial class</c> as an HTTP/1.1 response head. The generator writes its status-line parser and serializer.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class HttpResponseAttribute : Attribute
{
    /// <summary>Most header lines accepted (431 beyond it). 0 keeps the default of 100.</summary>
    public int MaxHeaderCount { get; set; }

    /// <summary>Longest header block accepted, in bytes. 0 keeps the default of 32 KiB.</summary>
    public int MaxHeaderBlockLength { get; set; }

    /// <summary>Longest status line accepted, in bytes. 0 keeps the default of 8 KiB.</summary>
    public int MaxRequestLineLength { get; set; }

    /// <summary>Longest field name accepted, in bytes. 0 keeps the default of 256.</summary>
    public int MaxFieldNameLength { get; set; }

    /// <summary>Longest field value accepted, in bytes after trimming. 0 keeps the default of 16 KiB.</summary>
    public int MaxFieldValueLength { get; set; }

    /// <summary>Lenient switch, off by default: accept a bare LF as a line ending.</summary>
    public bool AllowBareLineFeed { get; set; }

    /// <summary>When true, the generated type also exposes <c>Headers</c>, an enumerator over every header line.</summary>
    public bool EnumerateAllHeaders { get; set; }
}

/// <summary>
/// Binds a <c>partial</c> property of an <see cref="HttpRequestAttribute"/> or <see cref="HttpResponseAttribute"/>
/// type to a header field. Names match case-insensitively.
/// </summary>
/// <remarks>
/// Supported property types: <see cref="ReadOnlySpan{T}"/> of <see cref="byte"/> (empty when absent),
/// <see cref="HeaderValue"/>, <see cref="string"/> (nullable; allocated only when read), <see cref="long"/>? and
/// <see cref="int"/>? (strict decimal digits; anything else rejects the message with 400) and <see cref="bool"/> (presence).
/// </remarks>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class HttpHeaderAttribute : Attribute
{
    /// <summary>Binds the property to the header field <paramref name="name"/>.</summary>
    /// <param name="name">The field name, a token per RFC 9110 (for example <c>Content-Type</c>).</param>
    public HttpHeaderAttribute(string name) => Name = name;

    /// <summary>The header field name.</summary>
    public string Name { get; }
}
