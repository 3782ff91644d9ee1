namespace HttpGen.Diagnostics;

/// <summary>
/// Tag values as cached objects, so that recording a measurement boxes nothing: status codes, methods, versions and
/// error kinds are each created once.
/// </summary>
internal static class MetricTags
{
    private static readonly object[] StatusCodes = CreateStatusCodes();
    private static readonly object[] ErrorKinds = CreateErrorKinds();

    public const string Method = "http.request.method";
    public const string StatusCode = "http.response.status_code";
    public const string ProtocolVersion = "network.protocol.version";
    public const string ErrorType = "error.type";
    public const string ServerAddress = "server.address";
    public const string ServerPort = "server.port";
    public const string ConnectionState = "http.connection.state";
    public const string TlsProtocolVersion = "tls.protocol.version";

    public static object Status(int code) => (uint)(code - 100) < 900 ? StatusCodes[code - 100] : "other";

    public static string MethodName(RequestMethod method) => method switch
    {
        RequestMethod.Get => "GET",
        RequestMethod.Head => "HEAD",
        RequestMethod.Post => "POST",
        RequestMethod.Put => "PUT",
        RequestMethod.Delete => "DELETE",
        RequestMethod.Options => "OPTIONS",
        RequestMethod.Patch => "PATCH",
        RequestMethod.Trace => "TRACE",
        RequestMethod.Connect => "CONNECT",
        _ => "_OTHER", // the semantic conventions' name for methods outside the known set
    };

    public static string Version(ProtocolVersion version) => version == HttpGen.ProtocolVersion.Http10 ? "1.0" : "1.1";

    public static object Error(ParseErrorKind kind) => (int)kind < ErrorKinds.Length ? ErrorKinds[(int)kind] : kind.ToString();

    private static object[] CreateStatusCodes()
    {
        var codes = new object[900];
        for (int i = 0; i < codes.Length; i++)
        {
            codes[i] = i + 100;
        }

        return codes;
    }

    private static object[] CreateErrorKinds()
    {
        ParseErrorKind[] kinds = Enum.GetValues<ParseErrorKind>();
        var names = new object[(int)kinds.Max() + 1];
        foreach (ParseErrorKind kind in kinds)
        {
            names[(int)kind] = kind == ParseErrorKind.None ? "body_too_large" : kind.ToString();
        }

        return names;
    }
}
