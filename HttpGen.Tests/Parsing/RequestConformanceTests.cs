using System.Buffers;
using Xunit;

namespace HttpGen.Tests.Parsing;

/// <summary>Every case of <see cref="RequestCases"/>, parsed in one call, against what the table says.</summary>
public class RequestConformanceTests
{
    public static TheoryData<string> Cases() => RequestCases.Names();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Case_parses_as_the_table_says(string name)
    {
        RequestCase c = RequestCases.Get(name);
        Expectation e = c.Expected;
        ITestRequest request = c.Parser.Create();

        OperationStatus status = request.TryParse(c.Input, out int consumed);
        ParseError error = request.Error;

        // Status, error kind and offset together, so that a failure shows all three.
        Assert.Equal((e.Status, e.ErrorKind, e.ErrorOffset), (status, error.Kind, error.Offset));
        Assert.Equal(ExpectedStatusCode(e.ErrorKind), error.StatusCode);
        if (e.Status != OperationStatus.Done)
        {
            Assert.Equal(0, consumed);
            return;
        }

        Assert.Equal(e.Consumed, consumed);
        Assert.Equal(e.Method, request.Method);
        Assert.Equal(e.RawMethod, Outcome.Latin1(request.RawMethod));
        Assert.Equal(e.Target, Outcome.Latin1(request.Target));
        Assert.Equal(e.Form, request.TargetForm);
        Assert.Equal(e.Path, Outcome.Latin1(request.Path));
        Assert.Equal(e.Query, Outcome.Latin1(request.Query));
        Assert.Equal(e.Version, request.Version);
        Assert.Equal(e.Framing, request.BodyFraming);
        Assert.Equal(e.KeepAlive, request.KeepAlive);

        var headers = new List<string>();
        foreach (HeaderField field in request.Headers)
        {
            headers.Add(Outcome.Latin1(field.Name) + ": " + Outcome.Latin1(field.Value));
        }

        Assert.Equal(e.Headers, headers);
        if (e.Declared is not null)
        {
            Assert.Equal(e.Declared, request.DescribeDeclared());
        }
    }

    [Fact]
    public void Table_is_large_and_names_are_unique()
    {
        Assert.True(RequestCases.All.Count >= 140, $"only {RequestCases.All.Count} cases");
        Assert.Equal(RequestCases.All.Count, RequestCases.All.Select(c => c.Name).Distinct().Count());
        Assert.Contains(RequestCases.All, c => c.Expected.Status == OperationStatus.Done);
        Assert.Contains(RequestCases.All, c => c.Expected.Status == OperationStatus.InvalidData);
        Assert.Contains(RequestCases.All, c => c.Expected.Status == OperationStatus.NeedMoreData);
    }

    [Fact]
    public void Table_covers_every_request_error_kind()
    {
        var covered = RequestCases.All.Select(c => c.Expected.ErrorKind).ToHashSet();
        // Request heads can fail with every kind declared before the response and chunked ones.
        var missing = Enum.GetValues<ParseErrorKind>().Where(k => k != ParseErrorKind.None && k < ParseErrorKind.InvalidStatusLine && !covered.Contains(k)).ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public void Status_codes_follow_the_error_kinds()
    {
        foreach (ParseErrorKind kind in Enum.GetValues<ParseErrorKind>())
        {
            Assert.Equal(ExpectedStatusCode(kind), new ParseError(kind, 0).StatusCode);
            Assert.Equal(ExpectedStatusCode(kind), ParseError.GetStatusCode(kind));
        }
    }

    [Fact]
    public void Error_offset_is_within_the_input_for_every_error_case()
    {
        foreach (RequestCase c in RequestCases.All.Where(c => c.Expected.Status == OperationStatus.InvalidData))
        {
            Assert.InRange(c.Expected.ErrorOffset, 0, c.Input.Length - 1);
        }
    }

    [Fact]
    public void Parsing_again_without_Reset_throws_and_Reset_allows_it()
    {
        byte[] ok = RequestCases.Latin1("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        byte[] bad = RequestCases.Latin1("GET /# HTTP/1.1\r\n\r\n");
        var request = new ConformanceRequest();

        Assert.Equal(OperationStatus.Done, request.TryParse(ok, out _));
        Assert.Throws<InvalidOperationException>(() => request.TryParse(ok, out _));
        request.Reset();
        Assert.Equal(OperationStatus.InvalidData, request.TryParse(bad, out _));
        Assert.Throws<InvalidOperationException>(() => request.TryParse(new ReadOnlySequence<byte>(ok), out _));
        request.Reset();
        Assert.Equal(ParseErrorKind.None, request.Error.Kind);
        Assert.Equal(RequestMethod.None, request.Method);
        Assert.Equal(OperationStatus.Done, request.TryParse(ok, out int consumed));
        Assert.Equal(ok.Length, consumed);
    }

    [Fact]
    public void Options_reject_limits_below_one()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ParserOptions { MaxRequestLineLength = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ParserOptions { MaxHeaderBlockLength = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ParserOptions { MaxHeaderCount = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ParserOptions { MaxFieldNameLength = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ParserOptions { MaxFieldValueLength = 0 });
        Assert.Throws<ArgumentNullException>(() => new ConformanceRequest().Options = null!);
    }

    // The status codes of the issue, written out independently of ParseError.GetStatusCode.
    private static int ExpectedStatusCode(ParseErrorKind kind) => kind switch
    {
        ParseErrorKind.None => 0,
        ParseErrorKind.RequestLineTooLong => 414,
        ParseErrorKind.HeadersTooLarge => 431,
        ParseErrorKind.TooManyHeaders => 431,
        ParseErrorKind.HeaderFieldTooLarge => 431,
        ParseErrorKind.UnsupportedTransferCoding => 501,
        ParseErrorKind.MethodTooLong => 501,
        ParseErrorKind.UnsupportedVersion => 505,
        ParseErrorKind.ChunkedBodyTooLarge => 413,
        _ => 400,
    };
}
