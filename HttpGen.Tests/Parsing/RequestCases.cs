using static HttpGen.ParseErrorKind;
using static HttpGen.RequestMethod;

namespace HttpGen.Tests.Parsing;

// The readable part of the table: one line per case where possible. '‸' marks the expected error offset.
public static partial class RequestCases
{
    private static void RequestLine(List<RequestCase> c)
    {
        // valid request lines and methods
        c.Add(Ok("GET origin root", "GET / HTTP/1.1\r\n" + H + "\r\n"));
        c.Add(Ok("HEAD", "HEAD / HTTP/1.1\r\n" + H + "\r\n", method: Head));
        c.Add(Ok("POST", "POST /submit HTTP/1.1\r\n" + H + "\r\n", method: Post, target: "/submit"));
        c.Add(Ok("PUT", "PUT /x HTTP/1.1\r\n" + H + "\r\n", method: Put, target: "/x"));
        c.Add(Ok("DELETE", "DELETE /x/1 HTTP/1.1\r\n" + H + "\r\n", method: Delete, target: "/x/1"));
        c.Add(Ok("PATCH", "PATCH /x HTTP/1.1\r\n" + H + "\r\n", method: Patch, target: "/x"));
        c.Add(Ok("TRACE", "TRACE / HTTP/1.1\r\n" + H + "\r\n", method: Trace));
        c.Add(Ok("OPTIONS origin-form", "OPTIONS /x HTTP/1.1\r\n" + H + "\r\n", method: RequestMethod.Options, target: "/x"));
        c.Add(Ok("custom method PURGE", "PURGE /x HTTP/1.1\r\n" + H + "\r\n", method: Custom, raw: "PURGE", target: "/x"));
        c.Add(Ok("custom method M-SEARCH", "M-SEARCH /x HTTP/1.1\r\n" + H + "\r\n", method: Custom, raw: "M-SEARCH", target: "/x"));
        c.Add(Ok("methods are case-sensitive: get is custom", "get / HTTP/1.1\r\n" + H + "\r\n", method: Custom, raw: "get"));
        c.Add(Ok("method made of every tchar", "!#$%&'*+-.^_`|~09Az / HTTP/1.1\r\n" + H + "\r\n", method: Custom, raw: "!#$%&'*+-.^_`|~09Az"));
        c.Add(Ok("one leading CRLF is skipped", "\r\nGET / HTTP/1.1\r\n" + H + "\r\n"));
        c.Add(Ok("several leading CRLFs are skipped", "\r\n\r\n\r\nPOST / HTTP/1.1\r\n" + H + "\r\n", method: Post));
        c.Add(Ok("body bytes after the head are not consumed",
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n", trailing: "hello",
            method: Post, framing: Length(5), headers: ["Host: a", "Content-Length: 5"]));
        c.Add(Ok("a second request after the head is not consumed",
            "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n", trailing: "GET /2 HTTP/1.1\r\n", target: "/1"));

        // invalid request lines
        c.Add(Bad("leading space before the method", "‸ GET / HTTP/1.1\r\n" + H + "\r\n", InvalidRequestLine));
        c.Add(Bad("leading HTAB before the method", "‸\tGET / HTTP/1.1\r\n" + H + "\r\n", InvalidRequestLine));
        c.Add(Bad("NUL first", "‸\0GET / HTTP/1.1\r\n" + H + "\r\n", InvalidMethod));
        c.Add(Bad("non-tchar in the method", "G‸(T / HTTP/1.1\r\n" + H + "\r\n", InvalidMethod));
        c.Add(Bad("method with a comma", "GET‸, / HTTP/1.1\r\n" + H + "\r\n", InvalidMethod));
        c.Add(Bad("obs-text in the method", "GE‸\u00C9T / HTTP/1.1\r\n" + H + "\r\n", InvalidMethod));
        c.Add(Bad("DEL in the method", "GE‸\u007FT / HTTP/1.1\r\n" + H + "\r\n", InvalidMethod));
        c.Add(Bad("HTAB after the method", "GET‸\t/ HTTP/1.1\r\n" + H + "\r\n", InvalidRequestLine));
        c.Add(Bad("two spaces after the method", "GET ‸ / HTTP/1.1\r\n" + H + "\r\n", InvalidRequestLine));
        c.Add(Bad("two spaces after the target", "GET / ‸ HTTP/1.1\r\n" + H + "\r\n", InvalidRequestLine));
        c.Add(Bad("HTAB after the target", "GET /‸\tHTTP/1.1\r\n" + H + "\r\n", InvalidRequestLine));
        c.Add(Bad("method alone", "GET‸\r\n" + H + "\r\n", InvalidRequestLine));
        c.Add(Bad("HTTP/0.9 line without a version", "GET /‸\r\n\r\n", InvalidRequestLine));
        c.Add(Bad("target then SP then CRLF", "GET / ‸\r\n" + H + "\r\n", InvalidRequestLine));
        c.Add(Bad("trailing space after the version", "GET / HTTP/1.1‸ \r\n" + H + "\r\n", InvalidRequestLine));
        c.Add(Bad("trailing HTAB after the version", "GET / HTTP/1.1‸\t\r\n" + H + "\r\n", InvalidRequestLine));
        c.Add(Bad("bare LF ends the request line", "GET / HTTP/1.1‸\n" + H + "\r\n", InvalidLineEnding));
        c.Add(Bad("bare CR ends the request line", "GET / HTTP/1.1‸\rHost: a\r\n\r\n", InvalidLineEnding));
        c.Add(Bad("CR CR LF ends the request line", "GET / HTTP/1.1‸\r\r\n" + H + "\r\n", InvalidLineEnding));
        c.Add(Bad("bare LF before the request line", "‸\nGET / HTTP/1.1\r\n" + H + "\r\n", InvalidLineEnding));
        c.Add(Bad("bare CR before the request line", "\r\n‸\rGET / HTTP/1.1\r\n" + H + "\r\n", InvalidLineEnding));
    }

    private static void Targets(List<RequestCase> c)
    {
        // origin-form
        c.Add(Ok("path and query", "GET /search?q=1&r=2 HTTP/1.1\r\n" + H + "\r\n", target: "/search?q=1&r=2", path: "/search", query: "q=1&r=2"));
        c.Add(Ok("empty query after ?", "GET /a? HTTP/1.1\r\n" + H + "\r\n", target: "/a?", path: "/a"));
        c.Add(Ok("query holds ? and /", "GET /a?b?c/d HTTP/1.1\r\n" + H + "\r\n", target: "/a?b?c/d", path: "/a", query: "b?c/d"));
        c.Add(Ok("percent-encoded path stays raw", "GET /caf%C3%A9 HTTP/1.1\r\n" + H + "\r\n", target: "/caf%C3%A9"));
        c.Add(Ok("lower-case hex in %", "GET /%3a%3A%ff HTTP/1.1\r\n" + H + "\r\n", target: "/%3a%3A%ff"));
        c.Add(Ok("sub-delims, ':' and '@' in the path", "GET /a;b=c,d!$&'()*+@:~-._ HTTP/1.1\r\n" + H + "\r\n", target: "/a;b=c,d!$&'()*+@:~-._"));
        c.Add(Ok("brackets in the query", "GET /?a[]=1 HTTP/1.1\r\n" + H + "\r\n", target: "/?a[]=1", path: "/", query: "a[]=1"));
        c.Add(Ok("double slash path", "GET //a//b HTTP/1.1\r\n" + H + "\r\n", target: "//a//b"));
        c.Add(Ok("brackets in an absolute-form query", "GET http://a/p?x[0]=1 HTTP/1.1\r\n" + H + "\r\n",
            target: "http://a/p?x[0]=1", path: "/p", query: "x[0]=1", form: RequestTargetForm.Absolute));
        c.Add(Ok("IPv6 authority and brackets in the query, no path", "GET http://[::1]?a[]=1 HTTP/1.1\r\n" + H + "\r\n",
            target: "http://[::1]?a[]=1", path: "/", query: "a[]=1", form: RequestTargetForm.Absolute));

        // brackets belong to an IP literal or (a documented decision) the query, never to the path: RFC 3986 §3.3 pchar
        c.Add(Bad("brackets in the path", "GET /a‸[b] HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));
        c.Add(Bad("closing bracket in the path", "GET /a/‸]?q HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));
        c.Add(Bad("bracket in the path before brackets in the query", "GET /x‸[?a[]=1 HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));
        c.Add(Bad("bracket in an absolute-form path", "GET http://[::1]:8080/p‸[0] HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));
        c.Add(Bad("bracket in the path before a bad %: the earlier fault wins", "GET /‸[%zz HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));
        c.Add(Bad("bad % before a bracket in the path: the earlier fault wins", "GET /‸%zz[ HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));

        // absolute-form
        c.Add(Ok("absolute-form with path and query", "GET http://example.com/a/b?x=1 HTTP/1.1\r\n" + H + "\r\n",
            target: "http://example.com/a/b?x=1", path: "/a/b", query: "x=1", form: RequestTargetForm.Absolute));
        c.Add(Ok("absolute-form without a path", "GET http://example.com HTTP/1.1\r\n" + H + "\r\n",
            target: "http://example.com", path: "/", form: RequestTargetForm.Absolute));
        c.Add(Ok("absolute-form with a query but no path", "GET http://a?x HTTP/1.1\r\n" + H + "\r\n",
            target: "http://a?x", path: "/", query: "x", form: RequestTargetForm.Absolute));
        c.Add(Ok("absolute-form with an IPv6 literal and port", "GET http://[::1]:8080/p HTTP/1.1\r\n" + H + "\r\n",
            target: "http://[::1]:8080/p", path: "/p", form: RequestTargetForm.Absolute));
        c.Add(Ok("absolute-form https with port", "POST https://a.b:443/ HTTP/1.1\r\n" + H + "\r\n",
            method: Post, target: "https://a.b:443/", path: "/", form: RequestTargetForm.Absolute));
        c.Add(Ok("absolute-form with an empty port", "GET http://a:/x HTTP/1.1\r\n" + H + "\r\n",
            target: "http://a:/x", path: "/x", form: RequestTargetForm.Absolute));
        c.Add(Ok("absolute-form with a percent-encoded host", "GET http://a%41b/ HTTP/1.1\r\n" + H + "\r\n",
            target: "http://a%41b/", path: "/", form: RequestTargetForm.Absolute));
        c.Add(Bad("absolute-form without //", "GET ‸http:a HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));
        c.Add(Bad("absolute-form with an empty authority", "GET ‸http:///a HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));
        c.Add(Bad("absolute-form with userinfo", "GET ‸http://u:p@a/ HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));
        c.Add(Bad("absolute-form with a non-digit port", "GET ‸http://a:8o/ HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));
        c.Add(Bad("absolute-form with a bad host %", "GET http://a‸%zz/ HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));
        c.Add(Bad("scheme starting with a digit", "GET ‸1http://a/ HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));
        c.Add(Bad("scheme with an underscore", "GET ‸ht_tp://a/ HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));
        c.Add(Bad("fragment in an absolute-form target", "GET http://a/b‸#c HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));

        // authority-form (CONNECT only)
        c.Add(Ok("CONNECT authority-form", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
            method: Connect, target: "example.com:443", path: "", form: RequestTargetForm.Authority, headers: ["Host: example.com:443"]));
        c.Add(Ok("CONNECT to an IPv6 literal", "CONNECT [::1]:443 HTTP/1.1\r\nHost: [::1]:443\r\n\r\n",
            method: Connect, target: "[::1]:443", path: "", form: RequestTargetForm.Authority, headers: ["Host: [::1]:443"]));
        c.Add(Bad("authority-form for GET", "GET ‸example.com:80 HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));
        c.Add(Bad("CONNECT with origin-form", "CONNECT ‸/ HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));
        c.Add(Bad("CONNECT with absolute-form", "CONNECT ‸http://a:443/ HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));
        c.Add(Bad("CONNECT without a port", "CONNECT ‸example.com HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));
        c.Add(Bad("CONNECT with an empty port", "CONNECT ‸example.com: HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));
        c.Add(Bad("CONNECT with a non-digit port", "CONNECT ‸a:8x HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));
        c.Add(Bad("CONNECT with an empty host", "CONNECT ‸:443 HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));
        c.Add(Bad("CONNECT with userinfo", "CONNECT ‸u@a:443 HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));
        c.Add(Bad("CONNECT with an unclosed IPv6 literal", "CONNECT ‸[::1:443 HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));

        // asterisk-form (OPTIONS only)
        c.Add(Ok("OPTIONS *", "OPTIONS * HTTP/1.1\r\n" + H + "\r\n",
            method: RequestMethod.Options, target: "*", path: "", form: RequestTargetForm.Asterisk));
        c.Add(Bad("asterisk-form for GET", "GET ‸* HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));
        c.Add(Bad("OPTIONS *x", "OPTIONS ‸*x HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));
        c.Add(Bad("relative path", "GET ‸a/b HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));

        // bytes a target cannot hold
        c.Add(Bad("fragment", "GET /a‸#frag HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));
        c.Add(Bad("double quote in the target", "GET /‸\"x\" HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));
        c.Add(Bad("braces in the target", "GET /a‸{b} HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));
        c.Add(Bad("backslash in the target", "GET /‸\\ HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));
        c.Add(Bad("pipe in the query", "GET /?q=‸| HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));
        c.Add(Bad("caret and backtick in the target", "GET /‸^` HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));
        c.Add(Bad("angle brackets in the target", "GET /‸<script> HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));
        c.Add(Bad("NUL in the target", "GET /a‸\0 HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));
        c.Add(Bad("DEL in the target", "GET /‸\u007F HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));
        c.Add(Bad("obs-text in the target", "GET /caf‸\u00E9 HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));
        c.Add(Bad("bare CR in the target", "GET /a‸\rb HTTP/1.1\r\n" + H + "\r\n", InvalidRequestLine));

        // percent-encoding must be %HH
        c.Add(Bad("% followed by non-hex", "GET /a‸%zz HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));
        c.Add(Bad("% with one hex digit", "GET /a‸%4 HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));
        c.Add(Bad("% at the end of the target", "GET /a‸% HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));
        c.Add(Bad("% with a bad second digit", "GET /a%41‸%0g HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));
        c.Add(Bad("bad % in the query", "GET /a?b=‸%G1 HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));
        c.Add(Bad("bad % before a bad byte: the earlier fault wins", "GET /‸%zz#x HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));
        c.Add(Bad("%-encoding cut by the fragment", "GET /‸%4#1 HTTP/1.1\r\n" + H + "\r\n", InvalidRequestTarget));
    }

    private static void Versions(List<RequestCase> c)
    {
        c.Add(Ok("HTTP/1.0 without Host", "GET / HTTP/1.0\r\n\r\n", version: ProtocolVersion.Http10, keepAlive: false, headers: []));
        c.Add(Ok("HTTP/1.0 with Host", "GET / HTTP/1.0\r\n" + H + "\r\n", version: ProtocolVersion.Http10, keepAlive: false));
        c.Add(Bad("HTTP/2.0 is unsupported", "GET / ‸HTTP/2.0\r\n" + H + "\r\n", UnsupportedVersion));
        c.Add(Bad("HTTP/1.2 is unsupported", "GET / ‸HTTP/1.2\r\n" + H + "\r\n", UnsupportedVersion));
        c.Add(Bad("HTTP/0.9 is unsupported", "GET / ‸HTTP/0.9\r\n\r\n", UnsupportedVersion));
        c.Add(Bad("HTTP/9.9 is unsupported", "GET / ‸HTTP/9.9\r\n" + H + "\r\n", UnsupportedVersion));
        c.Add(Bad("lower-case http", "GET / ‸http/1.1\r\n" + H + "\r\n", InvalidVersion));
        c.Add(Bad("version without minor", "GET / HTTP/1‸\r\n" + H + "\r\n", InvalidVersion));
        c.Add(Bad("two-digit major", "GET / HTTP/1‸0.1\r\n" + H + "\r\n", InvalidVersion));
        c.Add(Bad("three-part version", "GET / HTTP/1.1‸.1\r\n" + H + "\r\n", InvalidVersion));
        c.Add(Bad("letter as major", "GET / HTTP/‸x.1\r\n" + H + "\r\n", InvalidVersion));
        c.Add(Bad("dash instead of slash", "GET / HTTP‸-1.1\r\n" + H + "\r\n", InvalidVersion));
        c.Add(Bad("comma instead of dot", "GET / HTTP/1‸,1\r\n" + H + "\r\n", InvalidVersion));
        c.Add(Bad("HTTPS/1.1", "GET / HTTP‸S/1.1\r\n" + H + "\r\n", InvalidVersion));
        c.Add(Bad("well-formed unknown version with junk after it", "GET / HTTP/2.0‸x\r\n" + H + "\r\n", InvalidVersion));
        c.Add(Bad("NUL after the version", "GET / HTTP/1.1‸\0\r\n" + H + "\r\n", InvalidVersion));
        c.Add(Bad("short version then CRLF", "GET / H‸\r\n" + H + "\r\n", InvalidVersion));
    }

    private static void HeaderSyntax(List<RequestCase> c)
    {
        c.Add(Ok("several headers keep their order and case",
            "GET / HTTP/1.1\r\nhost: a\r\nX-One: 1\r\nx-two: 2\r\nACCEPT: */*\r\n\r\n",
            headers: ["host: a", "X-One: 1", "x-two: 2", "ACCEPT: */*"], declared: "Host='a' Content-Length=- Transfer-Encoding= Connection=- X-Count=- Content-Type=-"));
        c.Add(Ok("OWS around a value is trimmed", "GET / HTTP/1.1\r\nHost: \t a \t \r\nX-A:v\r\n\r\n", headers: ["Host: a", "X-A: v"]));
        c.Add(Ok("inner white space is kept", "GET / HTTP/1.1\r\n" + H + "X-A: a  b\tc\r\n\r\n", headers: ["Host: a", "X-A: a  b\tc"]));
        c.Add(Ok("empty value", "GET / HTTP/1.1\r\n" + H + "X-Empty:\r\nX-Blank:   \r\n\r\n", headers: ["Host: a", "X-Empty: ", "X-Blank: "]));
        c.Add(Ok("obs-text in a value", "GET / HTTP/1.1\r\n" + H + "X-A: caf\u00E9 \u0080\u00FF\r\n\r\n", headers: ["Host: a", "X-A: caf\u00E9 \u0080\u00FF"]));
        c.Add(Ok("colons and quotes in a value", "GET / HTTP/1.1\r\n" + H + "X-A: a:b \"c\" (d)\r\n\r\n", headers: ["Host: a", "X-A: a:b \"c\" (d)"]));
        c.Add(Ok("every tchar in a name", "GET / HTTP/1.1\r\n" + H + "!#$%&'*+-.^_`|~09Az: 1\r\n\r\n", headers: ["Host: a", "!#$%&'*+-.^_`|~09Az: 1"]));
        c.Add(Ok("declared headers of each kind",
            "POST / HTTP/1.1\r\nHOST: a\r\ncontent-type: text/plain\r\nX-Count: 12\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\n",
            method: Post, framing: Length(3),
            headers: ["HOST: a", "content-type: text/plain", "X-Count: 12", "Content-Length: 3", "Connection: keep-alive"],
            declared: "Host='a' Content-Length=3 Transfer-Encoding= Connection=keep-alive X-Count=12 Content-Type='text/plain'"));
        c.Add(Ok("first occurrence of a declared header wins",
            "GET / HTTP/1.1\r\n" + H + "Content-Type: first\r\nContent-Type: second\r\n\r\n",
            headers: ["Host: a", "Content-Type: first", "Content-Type: second"],
            declared: "Host='a' Content-Length=- Transfer-Encoding= Connection=- X-Count=- Content-Type='first'"));

        c.Add(Bad("space before the colon", "GET / HTTP/1.1\r\nHost‸ : a\r\n\r\n", WhitespaceBeforeColon));
        c.Add(Bad("HTAB before the colon", "GET / HTTP/1.1\r\n" + H + "X-A‸\t: a\r\n\r\n", WhitespaceBeforeColon));
        c.Add(Bad("obs-fold with SP", "GET / HTTP/1.1\r\n" + H + "X-A: a\r\n‸ b\r\n\r\n", ObsoleteLineFolding));
        c.Add(Bad("obs-fold with HTAB", "GET / HTTP/1.1\r\n" + H + "X-A: a\r\n‸\tb\r\n\r\n", ObsoleteLineFolding));
        c.Add(Bad("white space before the first header", "GET / HTTP/1.1\r\n‸ Host: a\r\n\r\n", ObsoleteLineFolding));
        c.Add(Bad("NUL in a value", "GET / HTTP/1.1\r\n" + H + "X-A: a‸\0b\r\n\r\n", InvalidHeaderValue));
        c.Add(Bad("SOH in a value", "GET / HTTP/1.1\r\n" + H + "X-A: ‸\u0001\r\n\r\n", InvalidHeaderValue));
        c.Add(Bad("ESC in a value", "GET / HTTP/1.1\r\n" + H + "X-A: a‸\u001B[0m\r\n\r\n", InvalidHeaderValue));
        c.Add(Bad("unit separator in a value", "GET / HTTP/1.1\r\n" + H + "X-A: a‸\u001F\r\n\r\n", InvalidHeaderValue));
        c.Add(Bad("DEL in a value", "GET / HTTP/1.1\r\n" + H + "X-A: a‸\u007F\r\n\r\n", InvalidHeaderValue));
        c.Add(Bad("vertical tab in a value", "GET / HTTP/1.1\r\n" + H + "X-A: a‸\u000Bb\r\n\r\n", InvalidHeaderValue));
        c.Add(Bad("bare CR in a value", "GET / HTTP/1.1\r\n" + H + "X-A: a‸\rb\r\n\r\n", InvalidLineEnding));
        c.Add(Bad("bare LF ends a header line", "GET / HTTP/1.1\r\n" + H + "X-A: a‸\nX-B: b\r\n\r\n", InvalidLineEnding));
        c.Add(Bad("CR CR LF ends a header line", "GET / HTTP/1.1\r\n" + H + "X-A: a‸\r\r\n\r\n", InvalidLineEnding));
        c.Add(Bad("bare LF as the blank line", "GET / HTTP/1.1\r\n" + H + "‸\n", InvalidLineEnding));
        c.Add(Bad("bare CR as the blank line", "GET / HTTP/1.1\r\n" + H + "‸\rX", InvalidLineEnding));
        c.Add(Bad("empty field name", "GET / HTTP/1.1\r\n" + H + "‸: a\r\n\r\n", InvalidHeaderName));
        c.Add(Bad("missing colon", "GET / HTTP/1.1\r\n" + H + "X-A‸\r\n\r\n", InvalidHeaderName));
        c.Add(Bad("missing colon with a value", "GET / HTTP/1.1\r\n" + H + "X-A‸=b\r\n\r\n", InvalidHeaderName));
        c.Add(Bad("parenthesis in a name", "GET / HTTP/1.1\r\n" + H + "X‸(Y): a\r\n\r\n", InvalidHeaderName));
        c.Add(Bad("NUL in a name", "GET / HTTP/1.1\r\n" + H + "X‸\0: a\r\n\r\n", InvalidHeaderName));
        c.Add(Bad("obs-text in a name", "GET / HTTP/1.1\r\n" + H + "X-Caf‸\u00E9: a\r\n\r\n", InvalidHeaderName));
        c.Add(Bad("slash in a name", "GET / HTTP/1.1\r\n" + H + "X‸/Y: a\r\n\r\n", InvalidHeaderName));
        c.Add(Bad("declared number with a letter", "GET / HTTP/1.1\r\n" + H + "X-Count: ‸1x\r\n\r\n", InvalidNumericHeader));
        c.Add(Bad("declared int overflows", "GET / HTTP/1.1\r\n" + H + "X-Count: ‸2147483648\r\n\r\n", InvalidNumericHeader));
        c.Add(Bad("declared number given twice", "GET / HTTP/1.1\r\n" + H + "X-Count: 1\r\nX-Count: ‸1\r\n\r\n", DuplicateNumericHeader));
    }

    private static void Framing(List<RequestCase> c)
    {
        const string Post = "POST / HTTP/1.1\r\n" + H;
        string[] Hd(params string[] more) => ["Host: a", .. more];

        // Content-Length
        c.Add(Ok("Content-Length", Post + "Content-Length: 42\r\n\r\n", method: RequestMethod.Post, framing: Length(42), headers: Hd("Content-Length: 42"),
            declared: "Host='a' Content-Length=42 Transfer-Encoding= Connection=- X-Count=- Content-Type=-"));
        c.Add(Ok("Content-Length 0", Post + "Content-Length: 0\r\n\r\n", method: RequestMethod.Post, framing: Length(0), headers: Hd("Content-Length: 0")));
        c.Add(Ok("Content-Length with leading zeros", Post + "Content-Length: 007\r\n\r\n", method: RequestMethod.Post, framing: Length(7), headers: Hd("Content-Length: 007")));
        c.Add(Ok("Content-Length with OWS", Post + "Content-Length:  \t5\t \r\n\r\n", method: RequestMethod.Post, framing: Length(5), headers: Hd("Content-Length: 5")));
        c.Add(Ok("Content-Length long.MaxValue", Post + "Content-Length: 9223372036854775807\r\n\r\n",
            method: RequestMethod.Post, framing: Length(long.MaxValue), headers: Hd("Content-Length: 9223372036854775807")));
        c.Add(Ok("Content-Length 24 digits with leading zeros", Post + "Content-Length: 000000000000000000000001\r\n\r\n",
            method: RequestMethod.Post, framing: Length(1), headers: Hd("Content-Length: 000000000000000000000001")));
        c.Add(Ok("Content-Length on GET", "GET / HTTP/1.1\r\n" + H + "Content-Length: 2\r\n\r\n", trailing: "ab", framing: Length(2), headers: Hd("Content-Length: 2")));
        c.Add(Bad("Content-Length overflows", Post + "Content-Length: ‸9223372036854775808\r\n\r\n", InvalidContentLength));
        c.Add(Bad("Content-Length of 20 nines", Post + "Content-Length: ‸99999999999999999999\r\n\r\n", InvalidContentLength));
        c.Add(Bad("Content-Length with a plus sign", Post + "Content-Length: ‸+5\r\n\r\n", InvalidContentLength));
        c.Add(Bad("negative Content-Length", Post + "Content-Length: ‸-5\r\n\r\n", InvalidContentLength));
        c.Add(Bad("Content-Length with inner space", Post + "Content-Length: ‸5 5\r\n\r\n", InvalidContentLength));
        c.Add(Bad("hex Content-Length", Post + "Content-Length: ‸0x10\r\n\r\n", InvalidContentLength));
        c.Add(Bad("decimal-point Content-Length", Post + "Content-Length: ‸5.0\r\n\r\n", InvalidContentLength));
        c.Add(Bad("empty Content-Length", Post + "Content-Length: ‸\r\n\r\n", InvalidContentLength));
        c.Add(Bad("Content-Length list", Post + "Content-Length: ‸5, 5\r\n\r\n", DuplicateContentLength));
        c.Add(Bad("Content-Length list of different values", Post + "Content-Length: ‸5,6\r\n\r\n", DuplicateContentLength));
        c.Add(Bad("Content-Length twice with the same value", Post + "Content-Length: 5\r\nContent-Length: ‸5\r\n\r\n", DuplicateContentLength));
        c.Add(Bad("Content-Length twice with different values", Post + "Content-Length: 5\r\ncontent-length: ‸6\r\n\r\n", DuplicateContentLength));

        // Transfer-Encoding
        c.Add(Ok("chunked", Post + "Transfer-Encoding: chunked\r\n\r\n", method: RequestMethod.Post, framing: Chunked, headers: Hd("Transfer-Encoding: chunked"),
            declared: "Host='a' Content-Length=- Transfer-Encoding=chunked Connection=- X-Count=- Content-Type=-"));
        c.Add(Ok("chunked in upper case", Post + "Transfer-Encoding: CHUNKED\r\n\r\n", method: RequestMethod.Post, framing: Chunked, headers: Hd("Transfer-Encoding: CHUNKED")));
        c.Add(Ok("gzip then chunked", Post + "Transfer-Encoding: gzip, chunked\r\n\r\n", method: RequestMethod.Post, framing: Chunked, headers: Hd("Transfer-Encoding: gzip, chunked")));
        c.Add(Ok("codings over two field lines", Post + "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n",
            method: RequestMethod.Post, framing: Chunked, headers: Hd("Transfer-Encoding: gzip", "Transfer-Encoding: chunked")));
        c.Add(Ok("empty list elements are ignored", Post + "Transfer-Encoding: , gzip ,, chunked ,\r\n\r\n",
            method: RequestMethod.Post, framing: Chunked, headers: Hd("Transfer-Encoding: , gzip ,, chunked ,")));
        c.Add(Bad("chunked not last", Post + "Transfer-Encoding: ‸chunked, gzip\r\n\r\n", InvalidTransferEncoding));
        c.Add(Bad("chunked twice", Post + "Transfer-Encoding: ‸chunked, chunked\r\n\r\n", InvalidTransferEncoding));
        c.Add(Bad("a coding after chunked on a later line", Post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: ‸gzip\r\n\r\n", InvalidTransferEncoding));
        c.Add(Bad("gzip without chunked", Post + "Transfer-Encoding: ‸gzip\r\n\r\n", InvalidTransferEncoding));
        c.Add(Bad("no chunked over two lines: the last one is blamed", Post + "Transfer-Encoding: gzip\r\nTransfer-Encoding: ‸deflate\r\n\r\n", InvalidTransferEncoding));
        c.Add(Bad("unknown coding", Post + "Transfer-Encoding: ‸foo\r\n\r\n", UnsupportedTransferCoding));
        c.Add(Bad("identity is not a transfer coding", Post + "Transfer-Encoding: ‸identity\r\n\r\n", UnsupportedTransferCoding));
        c.Add(Bad("unknown coding before chunked", Post + "Transfer-Encoding: ‸foo, chunked\r\n\r\n", UnsupportedTransferCoding));
        c.Add(Bad("coding with a parameter", Post + "Transfer-Encoding: ‸chunked;q=1\r\n\r\n", InvalidTransferEncoding));
        c.Add(Bad("quoted coding", Post + "Transfer-Encoding: ‸\"chunked\"\r\n\r\n", InvalidTransferEncoding));
        c.Add(Bad("empty Transfer-Encoding", Post + "Transfer-Encoding: ‸\r\n\r\n", InvalidTransferEncoding));
        c.Add(Bad("Transfer-Encoding of commas only", Post + "Transfer-Encoding:  ‸, ,\r\n\r\n", InvalidTransferEncoding));
        c.Add(Bad("Content-Length then Transfer-Encoding", Post + "Content-Length: 5\r\nTransfer-Encoding: ‸chunked\r\n\r\n", ContentLengthWithTransferEncoding));
        c.Add(Bad("Transfer-Encoding then Content-Length", Post + "Transfer-Encoding: chunked\r\nContent-Length: ‸5\r\n\r\n", ContentLengthWithTransferEncoding));
        c.Add(Bad("Transfer-Encoding then an invalid Content-Length", Post + "Transfer-Encoding: chunked\r\nContent-Length: ‸x\r\n\r\n", ContentLengthWithTransferEncoding));
        c.Add(Bad("Transfer-Encoding in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: ‸chunked\r\n\r\n", TransferEncodingInHttp10));
        c.Add(Bad("unknown Transfer-Encoding in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: ‸foo\r\n\r\n", TransferEncodingInHttp10));
    }

    private static void HostRules(List<RequestCase> c)
    {
        c.Add(Bad("HTTP/1.1 without Host", "GET / HTTP/1.1\r\n‸\r\n", MissingHost));
        c.Add(Bad("HTTP/1.1 without Host but with other headers", "GET / HTTP/1.1\r\nX-A: 1\r\n‸\r\n", MissingHost));
        c.Add(Bad("absolute-form still needs Host in HTTP/1.1", "GET http://a/ HTTP/1.1\r\n‸\r\n", MissingHost));
        c.Add(Bad("two Host lines", "GET / HTTP/1.1\r\nHost: a\r\nHost: ‸b\r\n\r\n", DuplicateHost));
        c.Add(Bad("two Host lines with the same value", "GET / HTTP/1.1\r\nHost: a\r\nhost: ‸a\r\n\r\n", DuplicateHost));
        c.Add(Bad("two Host lines in HTTP/1.0", "GET / HTTP/1.0\r\nHost: a\r\nHost: ‸b\r\n\r\n", DuplicateHost));
        c.Add(Ok("empty Host", "GET / HTTP/1.1\r\nHost:\r\n\r\n", headers: ["Host: "],
            declared: "Host='' Content-Length=- Transfer-Encoding= Connection=- X-Count=- Content-Type=-"));
        c.Add(Ok("Host with a port", "GET / HTTP/1.1\r\nHost: a.example:8080\r\n\r\n", headers: ["Host: a.example:8080"]));
        c.Add(Ok("Host IPv4", "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", headers: ["Host: 127.0.0.1"]));
        c.Add(Ok("Host IPv6 with a port", "GET / HTTP/1.1\r\nHost: [2001:db8::1]:80\r\n\r\n", headers: ["Host: [2001:db8::1]:80"]));
        c.Add(Ok("Host with percent-encoding and sub-delims", "GET / HTTP/1.1\r\nHost: a%20b!$&'()*+,;=\r\n\r\n", headers: ["Host: a%20b!$&'()*+,;="]));
        c.Add(Bad("Host with a space", "GET / HTTP/1.1\r\nHost: ‸a b\r\n\r\n", InvalidHost));
        c.Add(Bad("Host with userinfo", "GET / HTTP/1.1\r\nHost: ‸u@a\r\n\r\n", InvalidHost));
        c.Add(Bad("Host with a non-digit port", "GET / HTTP/1.1\r\nHost: ‸a:b\r\n\r\n", InvalidHost));
        c.Add(Bad("Host with two ports", "GET / HTTP/1.1\r\nHost: ‸a:80:90\r\n\r\n", InvalidHost));
        c.Add(Bad("Host with an unclosed IPv6 literal", "GET / HTTP/1.1\r\nHost: ‸[::1\r\n\r\n", InvalidHost));
        c.Add(Bad("Host with an empty IPv6 literal", "GET / HTTP/1.1\r\nHost: ‸[]\r\n\r\n", InvalidHost));
        c.Add(Bad("Host with junk after the IPv6 literal", "GET / HTTP/1.1\r\nHost: ‸[::1]x\r\n\r\n", InvalidHost));
        c.Add(Bad("Host of a port only", "GET / HTTP/1.1\r\nHost: ‸:80\r\n\r\n", InvalidHost));
        c.Add(Bad("Host with a path", "GET / HTTP/1.1\r\nHost: ‸a/b\r\n\r\n", InvalidHost));
        c.Add(Bad("Host with a bad %", "GET / HTTP/1.1\r\nHost: ‸a%zz\r\n\r\n", InvalidHost));
    }

    private static void Connection(List<RequestCase> c)
    {
        const string V11 = "GET / HTTP/1.1\r\n" + H;
        const string V10 = "GET / HTTP/1.0\r\n";
        c.Add(Ok("1.1 close", V11 + "Connection: close\r\n\r\n", keepAlive: false, headers: ["Host: a", "Connection: close"],
            declared: "Host='a' Content-Length=- Transfer-Encoding= Connection=close X-Count=- Content-Type=-"));
        c.Add(Ok("1.1 Close in mixed case", V11 + "Connection: Close\r\n\r\n", keepAlive: false, headers: ["Host: a", "Connection: Close"]));
        c.Add(Ok("1.1 close in a list", V11 + "Connection: keep-alive, Upgrade,close\r\n\r\n", keepAlive: false, headers: ["Host: a", "Connection: keep-alive, Upgrade,close"]));
        c.Add(Ok("1.1 close on a second Connection line", V11 + "Connection: keep-alive\r\nConnection: close\r\n\r\n", keepAlive: false,
            headers: ["Host: a", "Connection: keep-alive", "Connection: close"]));
        c.Add(Ok("1.1 keep-alive", V11 + "Connection: keep-alive\r\n\r\n", headers: ["Host: a", "Connection: keep-alive"]));
        c.Add(Ok("1.1 'closed' is not close", V11 + "Connection: closed\r\n\r\n", headers: ["Host: a", "Connection: closed"]));
        c.Add(Ok("1.0 keep-alive", V10 + "Connection: keep-alive\r\n\r\n", version: ProtocolVersion.Http10, headers: ["Connection: keep-alive"]));
        c.Add(Ok("1.0 Keep-Alive in mixed case", V10 + "Connection: Keep-Alive\r\n\r\n", version: ProtocolVersion.Http10, headers: ["Connection: Keep-Alive"]));
        c.Add(Ok("1.0 keep-alive and close", V10 + "Connection: keep-alive, close\r\n\r\n", version: ProtocolVersion.Http10, keepAlive: false,
            headers: ["Connection: keep-alive, close"]));
        c.Add(Ok("1.0 other option", V10 + "Connection: upgrade\r\n\r\n", version: ProtocolVersion.Http10, keepAlive: false, headers: ["Connection: upgrade"]));
        c.Add(Ok("1.0 with a body", "POST / HTTP/1.0\r\nContent-Length: 1\r\n\r\n", trailing: "x", method: Post, version: ProtocolVersion.Http10,
            keepAlive: false, framing: Length(1), headers: ["Content-Length: 1"]));
    }

    private static void BareLineFeed(List<RequestCase> c)
    {
        ParserSetup lf = ParserSetup.BareLf;
        c.Add(Ok("lenient: bare LF everywhere", "GET / HTTP/1.1\nHost: a\nX-A: 1\n\n", headers: ["Host: a", "X-A: 1"], parser: lf));
        c.Add(Ok("lenient: CRLF still accepted", "GET / HTTP/1.1\r\n" + H + "\r\n", parser: lf));
        c.Add(Ok("lenient: mixed line endings", "GET / HTTP/1.1\r\nHost: a\nX-A: 1\r\n\n", headers: ["Host: a", "X-A: 1"], parser: lf));
        c.Add(Ok("lenient: leading bare LFs", "\n\r\n\nGET / HTTP/1.1\n" + "Host: a\n\n", parser: lf));
        c.Add(Ok("lenient: body after a bare-LF head", "POST / HTTP/1.1\nHost: a\nContent-Length: 2\n\n", trailing: "hi", method: Post, framing: Length(2),
            headers: ["Host: a", "Content-Length: 2"], parser: lf));
        c.Add(Ok("lenient: value trimmed before a bare LF", "GET / HTTP/1.1\nHost: a \t\n\n", parser: lf));
        c.Add(Ok("lenient attribute: bare LF everywhere", "GET /x HTTP/1.0\nX-A: 1\n\n", target: "/x", version: ProtocolVersion.Http10,
            keepAlive: false, headers: ["X-A: 1"], parser: ParserSetup.BareLfAttribute));
        c.Add(Bad("lenient: bare CR ends the request line", "GET / HTTP/1.1‸\rHost: a\n\n", InvalidLineEnding, lf));
        c.Add(Bad("lenient: bare CR in a value", "GET / HTTP/1.1\nHost: a‸\rb\n\n", InvalidLineEnding, lf));
        c.Add(Bad("lenient: bare CR as the blank line", "GET / HTTP/1.1\nHost: a\n‸\rX", InvalidLineEnding, lf));
        c.Add(Bad("lenient: CR CR LF", "GET / HTTP/1.1\nHost: a‸\r\r\n\n", InvalidLineEnding, lf));
        c.Add(Bad("lenient: bare CR before the request line", "‸\rGET / HTTP/1.1\n" + "Host: a\n\n", InvalidLineEnding, lf));
        c.Add(Bad("lenient: obs-fold still rejected", "GET / HTTP/1.1\nHost: a\n‸ b\n\n", ObsoleteLineFolding, lf));
        c.Add(Bad("lenient: still needs Host", "GET / HTTP/1.1\n‸\n", MissingHost, lf));
        c.Add(Bad("lenient attribute: bare CR in a value", "GET / HTTP/1.1\nHost: a‸\rb\n\n", InvalidLineEnding, ParserSetup.BareLfAttribute));
        c.Add(Bad("lenient: bare LF after the target", "GET /‸\n\n", InvalidRequestLine, lf));
    }

    private static void Incomplete(List<RequestCase> c)
    {
        c.Add(Partial("nothing yet", ""));
        c.Add(Partial("only leading CRLFs", "\r\n\r\n"));
        c.Add(Partial("request line without its LF", "GET / HTTP/1.1\r"));
        c.Add(Partial("unknown version waits for the line end", "GET / HTTP/2.0"));
        c.Add(Partial("no blank line yet", "GET / HTTP/1.1\r\n" + H));
        c.Add(Partial("blank line without its LF", "GET / HTTP/1.1\r\n" + H + "\r"));
        c.Add(Partial("header value without its LF", "GET / HTTP/1.1\r\nHost: a\r"));
        c.Add(Partial("lenient: request line ended by LF, nothing more", "GET / HTTP/1.1\n", ParserSetup.BareLf));
    }
}
