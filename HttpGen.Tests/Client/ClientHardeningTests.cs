using System.Diagnostics;
using System.Text;
using HttpGen.Client;
using Xunit;

namespace HttpGen.Tests.Client;

/// <summary>The client's share of issue 10: a method never set, endless interim responses, header injection through caller memory.</summary>
public sealed class ClientHardeningTests() : ClientTestBase()
{
    /// <summary>
    /// A request whose Method was never set goes out as GET, so it is retried like one when a reused connection turns
    /// out closed before any response byte (the server here drops every reused connection without answering).
    /// </summary>
    [Fact]
    public async Task A_request_whose_method_was_never_set_is_retried_like_a_GET()
    {
        var request = new ClientTestRequest { Target = "/drop-reused"u8, Host = Origin.HostHeader.Span };
        Assert.Equal(RequestMethod.None, request.Method);
        for (int i = 0; i < 3; i++)
        {
            await using HttpGenResponse<ClientTestResponse> response = await Client.SendAsync(Origin, request);
            Assert.Equal("first", Encoding.ASCII.GetString((await response.ReadAllAsync()).Span));
            Assert.Equal(1, response.Head.ConnectionRequest);
        }

        Assert.All(Server.RequestHeads, head => Assert.StartsWith("GET /drop-reused HTTP/1.1\r\n", head));
        Assert.Equal(3, Client.ConnectionsOpened);
    }

    [Fact]
    public async Task Endless_interim_responses_fail_quickly_as_an_invalid_response()
    {
        var watch = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<HttpResponseException>(() => GetAsync("/interim-forever"));
        Assert.Equal(HttpClientErrorKind.InvalidResponse, e.Kind);
        Assert.Equal(ParseErrorKind.HeadersTooLarge, e.ErrorKind);
        Assert.Contains($"more than {10} interim (1xx) responses", e.Message);
        Assert.InRange(watch.ElapsedMilliseconds, 0, 5000);

        var next = await GetAsync("/cl");
        Assert.Equal((200, "hello", 1), next);
    }

    [Theory]
    [InlineData(10, 10, true)]     // ten small ones: fine
    [InlineData(11, 10, false)]    // one more than the count
    [InlineData(3, 12_000, true)]  // 36 KB of interim heads: within the 40 KB head limit
    [InlineData(4, 12_000, false)] // 48 KB: over it
    public async Task Interim_responses_are_capped_by_count_and_by_the_head_limit(int count, int size, bool accepted)
    {
        string target = $"/interim-large?count={count}&size={size}";
        if (accepted)
        {
            var response = await GetAsync(target);
            Assert.Equal((200, "final"), (response.Status, response.Body));
            return;
        }

        var e = await Assert.ThrowsAsync<HttpResponseException>(() => GetAsync(target));
        Assert.Equal(ParseErrorKind.HeadersTooLarge, e.ErrorKind);
        Assert.Contains("interim (1xx) responses", e.Message);
    }

    /// <summary>
    /// Issue 10, bug 3 from the client's side: a header value made from caller memory and changed after it was set must
    /// not put CR/LF on the wire (a smuggled header, or a second request). Either the send is refused or the server
    /// sees no extra line.
    /// </summary>
    [Fact]
    public async Task A_header_value_buffer_changed_after_it_was_set_cannot_inject_lines()
    {
        byte[] buffer = Encoding.ASCII.GetBytes("harmless-value-of-some-length");
        ClientTestRequest request = Request("/cl");
        request.Value = HeaderValue.Create(buffer);
        Encoding.ASCII.GetBytes("x\r\nX-Injected: yes-injected!").CopyTo(buffer, 0);

        try
        {
            await using HttpGenResponse<ClientTestResponse> response = await Client.SendAsync(Origin, request);
            await response.ReadAllAsync();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // Refused at write time: nothing reached the wire.
        }

        Assert.DoesNotContain(Server.RequestHeads, head => head.Contains("\r\nX-Injected:", StringComparison.Ordinal));
    }
}
