using System.Buffers;
using System.Text;
using Xunit;
using static HttpGen.ParseErrorKind;

namespace HttpGen.Tests.Parsing;

/// <summary>
/// The conformance table. Inputs are written as C# strings of Latin-1 characters; in an error case the character
/// <see cref="At"/> marks the offending byte (it is removed from the input, and its position is the expected offset).
/// Expected values are written from the input and the rules, never copied from the parser's output.
/// </summary>
public static partial class RequestCases
{
    /// <summary>Marks where an error is expected: the byte that follows it.</summary>
    public const char At = '‸';

    /// <summary>The Host line most cases use.</summary>
    private const string H = "Host: a\r\n";

    private static readonly Lazy<IReadOnlyList<RequestCase>> s_all = new(Build);

    public static IReadOnlyList<RequestCase> All => s_all.Value;

    public static RequestCase Get(string name) => All.Single(c => c.Name == name);

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (RequestCase c in All)
        {
            data.Add(c.Name);
        }

        return data;
    }

    private static IReadOnlyList<RequestCase> Build()
    {
        var cases = new List<RequestCase>();
        RequestLine(cases);
        Targets(cases);
        Versions(cases);
        HeaderSyntax(cases);
        Framing(cases);
        HostRules(cases);
        Connection(cases);
        Limits(cases);
        BareLineFeed(cases);
        Incomplete(cases);
        return cases;
    }

    // A head that parses. Unless given, the method is GET, the target "/", the path the target, the query empty, the
    // form origin, the version 1.1, no body, keep-alive and the one header "Host: a". The head is consumed whole;
    // `trailing` bytes (a body, the next request) follow it in the input and must not be consumed.
    private static RequestCase Ok(
        string name,
        string input,
        string trailing = "",
        RequestMethod method = RequestMethod.Get,
        string? raw = null,
        string target = "/",
        string? path = null,
        string query = "",
        RequestTargetForm form = RequestTargetForm.Origin,
        ProtocolVersion version = ProtocolVersion.Http11,
        BodyFraming framing = default,
        bool keepAlive = true,
        string[]? headers = null,
        string? declared = null,
        ParserSetup? parser = null)
    {
        byte[] bytes = Latin1(input + trailing);
        return new RequestCase(name, bytes, parser ?? ParserSetup.Default, new Expectation
        {
            Status = OperationStatus.Done,
            Consumed = input.Length,
            Method = method,
            RawMethod = raw ?? method.ToString().ToUpperInvariant(),
            Target = target,
            Form = form,
            Path = path ?? target,
            Query = query,
            Version = version,
            Framing = framing,
            KeepAlive = keepAlive,
            Headers = headers ?? ["Host: a"],
            Declared = declared,
        });
    }

    // A head that is rejected at the byte marked with At.
    private static RequestCase Bad(string name, string input, ParseErrorKind kind, ParserSetup? parser = null)
    {
        int offset = input.IndexOf(At);
        if (offset < 0 || input.IndexOf(At, offset + 1) >= 0)
        {
            throw new ArgumentException($"Case '{name}' must mark exactly one offset.");
        }

        return Bad(name, Latin1(input.Remove(offset, 1)), kind, offset, parser);
    }

    // A head that is rejected at an offset computed by the case (for inputs built in code).
    private static RequestCase Bad(string name, byte[] input, ParseErrorKind kind, int offset, ParserSetup? parser = null) =>
        new(name, input, parser ?? ParserSetup.Default, new Expectation { Status = OperationStatus.InvalidData, ErrorKind = kind, ErrorOffset = offset });

    // A head that is not complete yet: the parser must ask for more.
    private static RequestCase Partial(string name, string input, ParserSetup? parser = null) =>
        new(name, Latin1(input), parser ?? ParserSetup.Default, new Expectation { Status = OperationStatus.NeedMoreData });

    private static BodyFraming Length(long n) => new(BodyKind.ContentLength, n);

    private static readonly BodyFraming Chunked = new(BodyKind.Chunked, 0);

    internal static byte[] Latin1(string text)
    {
        var bytes = new byte[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] > 0xFF)
            {
                throw new ArgumentException($"Not a Latin-1 character at {i}: U+{(int)text[i]:X4}.");
            }

            bytes[i] = (byte)text[i];
        }

        return bytes;
    }

    internal static string Text(byte[] bytes) => Encoding.Latin1.GetString(bytes);
}
