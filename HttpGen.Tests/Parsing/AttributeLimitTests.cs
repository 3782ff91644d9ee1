using System.Buffers;
using System.Text;
using Xunit;

namespace HttpGen.Tests.Parsing;

[HttpRequest(MaxFieldNameLength = 8, MaxFieldValueLength = 10)]
public partial class TightFieldsRequest
{
}

/// <summary>Field-size limits set on the attribute become the type's defaults.</summary>
public class AttributeLimitTests
{
    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-Name-8: 0123456789\r\n\r\n", OperationStatus.Done, ParseErrorKind.None)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-Name-89: v\r\n\r\n", OperationStatus.InvalidData, ParseErrorKind.HeaderFieldTooLarge)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX: 0123456789A\r\n\r\n", OperationStatus.InvalidData, ParseErrorKind.HeaderFieldTooLarge)]
    public void Field_limits_from_the_attribute_apply(string text, OperationStatus status, ParseErrorKind kind)
    {
        var request = new TightFieldsRequest();
        Assert.Equal(8, request.Options.MaxFieldNameLength);
        Assert.Equal(10, request.Options.MaxFieldValueLength);
        Assert.Equal(status, request.TryParse(Encoding.ASCII.GetBytes(text), out _));
        Assert.Equal(kind, request.Error.Kind);
        if (kind != ParseErrorKind.None)
        {
            Assert.Equal(431, request.Error.StatusCode);
        }
    }
}
