using System.Buffers;
using System.Text;
using Xunit;

namespace HttpGen.Tests;

public class SmokeTests
{
    [Fact]
    public void Parses_the_contract_request()
    {
        var request = new OrderRequest();
        byte[] bytes = Encoding.ASCII.GetBytes("POST /orders?id=7 HTTP/1.1\r\nHost: shop\r\ncontent-type: application/json\r\nContent-Length: 12\r\nX-Request-Id: abc\r\n\r\n");
        Assert.Equal(OperationStatus.Done, request.TryParse(bytes, out int consumed));
        Assert.Equal(bytes.Length, consumed);
        Assert.Equal(RequestMethod.Post, request.Method);
        Assert.Equal("/orders", Encoding.ASCII.GetString(request.Path));
        Assert.Equal("id=7", Encoding.ASCII.GetString(request.Query));
        Assert.Equal("shop", Encoding.ASCII.GetString(request.Host));
        Assert.Equal("application/json", request.ContentType);
        Assert.Equal(12, request.ContentLength);
        Assert.True(request.RequestId.IsPresent);
        Assert.True(request.RequestId.Equals("abc"u8));
        Assert.Equal(new BodyFraming(BodyKind.ContentLength, 12), request.BodyFraming);
        Assert.True(request.KeepAlive);
        Assert.Equal(ProtocolVersion.Http11, request.Version);
    }
}
