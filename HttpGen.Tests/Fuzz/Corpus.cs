using System.Text;

namespace HttpGen.Tests.Fuzz;

/// <summary>
/// Real message heads, as browsers, command-line tools, API clients, proxies and servers send them. The fuzzers start
/// from these and mutate them; each entry is one head (and for some a body or a pipelined second request), written
/// one line per string so that it reads like the wire.
/// </summary>
internal static class Corpus
{
    public static readonly (string Name, byte[] Bytes)[] Requests = Encode(
    
    [
        ("chrome", Head(
            "GET /shop/shoes?color=black&size=42 HTTP/1.1",
            "Host: www.example-shop.com",
            "Connection: keep-alive",
            "sec-ch-ua: \"Chromium\";v=\"140\", \"Not=A?Brand\";v=\"24\"",
            "sec-ch-ua-mobile: ?0",
            "Upgrade-Insecure-Requests: 1",
            "User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36",
            "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
            "Sec-Fetch-Site: same-origin",
            "Referer: https://www.example-shop.com/shop",
            "Accept-Encoding: gzip, deflate, br, zstd",
            "Accept-Language: en-US,en;q=0.9",
            "Cookie: session_id=7f3c9a1e5b2d; _ga=GA1.2.1234567890.1700000000; theme=dark")),
        ("firefox", Head(
            "GET /docs/index.html HTTP/1.1",
            "Host: developer.example.org",
            "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
            "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Language: de,en-US;q=0.7,en;q=0.3",
            "Accept-Encoding: gzip, deflate, br",
            "DNT: 1",
            "Connection: keep-alive",
            "If-Modified-Since: Tue, 24 Nov 2026 10:00:00 GMT",
            "If-None-Match: W/\"5e15153d-120f\"",
            "Cache-Control: max-age=0")),
        ("safari-fetch", Head(
            "GET /api/feed?since=1700000000&limit=20 HTTP/1.1",
            "Host: app.example.com",
            "Accept: application/json",
            "Origin: https://app.example.com",
            "User-Agent: Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
            "Sec-Fetch-Mode: cors",
            "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.sig")),
        ("curl", Head(
            "GET /get?show_env=1 HTTP/1.1",
            "Host: httpbin.example:8080",
            "User-Agent: curl/8.5.0",
            "Accept: */*")),
        ("curl-head", Head(
            "HEAD /big.iso HTTP/1.1",
            "Host: mirror.example.net",
            "User-Agent: curl/7.88.1",
            "Accept: */*")),
        ("wget-http10", Head(
            "GET /pub/file.tar.gz HTTP/1.0",
            "User-Agent: Wget/1.21.3",
            "Accept: */*",
            "Accept-Encoding: identity",
            "Host: ftp.example.org",
            "Connection: Keep-Alive")),
        ("http10-bare", Head("GET / HTTP/1.0")),
        ("json-post", Head(
            "POST /v1/orders HTTP/1.1",
            "Host: api.example.com",
            "Content-Type: application/json; charset=utf-8",
            "Accept: application/json",
            "Authorization: Basic dXNlcjpwYXNzd29yZA==",
            "X-Request-Id: 4bf92f3577b34da6a3ce929d0e0e4736",
            "Content-Length: 27") + "{\"item\":\"shoe\",\"count\":2}\r\n"),
        ("python-requests", Head(
            "PUT /v2/items/42 HTTP/1.1",
            "Host: api.example.com",
            "User-Agent: python-requests/2.31.0",
            "Accept-Encoding: gzip, deflate",
            "Accept: */*",
            "Connection: keep-alive",
            "Content-Length: 13",
            "Content-Type: application/json") + "{\"name\":\"x\"}\n"),
        ("go-client-patch", Head(
            "PATCH /users/7 HTTP/1.1",
            "Host: 10.0.0.12:9000",
            "User-Agent: Go-http-client/1.1",
            "Content-Length: 0",
            "Accept-Encoding: gzip")),
        ("java-delete", Head(
            "DELETE /sessions/abc HTTP/1.1",
            "Connection: Upgrade, HTTP2-Settings",
            "Content-Length: 0",
            "Host: localhost:8443",
            "HTTP2-Settings: AAEAAEAAAAIAAAABAAMAAABkAAQBAAAAAAUAAEAA",
            "Upgrade: h2c",
            "User-Agent: Java-http-client/21.0.2")),
        ("chunked-upload", Head(
            "POST /upload HTTP/1.1",
            "Host: files.example.com",
            "User-Agent: curl/8.5.0",
            "Accept: */*",
            "Transfer-Encoding: chunked",
            "Content-Type: application/octet-stream",
            "Expect: 100-continue") + "5\r\nhello\r\n0\r\n\r\n"),
        ("gzip-chunked", Head(
            "POST /logs HTTP/1.1",
            "Host: collector.example",
            "Content-Encoding: gzip",
            "Transfer-Encoding: gzip, chunked",
            "Content-Type: text/plain")),
        ("absolute-form", Head(
            "GET http://www.example.com:8080/index.html?lang=en HTTP/1.1",
            "Host: www.example.com:8080",
            "Proxy-Connection: keep-alive",
            "Proxy-Authorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l",
            "User-Agent: curl/8.5.0")),
        ("connect", Head(
            "CONNECT www.example.com:443 HTTP/1.1",
            "Host: www.example.com:443",
            "User-Agent: curl/8.5.0",
            "Proxy-Connection: Keep-Alive")),
        ("connect-ipv6", Head(
            "CONNECT [2001:db8::1]:8443 HTTP/1.1",
            "Host: [2001:db8::1]:8443")),
        ("options-star", Head(
            "OPTIONS * HTTP/1.1",
            "Host: www.example.com",
            "Max-Forwards: 3",
            "User-Agent: Mozilla/5.0")),
        ("websocket", Head(
            "GET /chat HTTP/1.1",
            "Host: server.example.com",
            "Upgrade: websocket",
            "Connection: Upgrade",
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
            "Origin: http://example.com",
            "Sec-WebSocket-Protocol: chat, superchat",
            "Sec-WebSocket-Version: 13")),
        ("wrk", Head(
            "GET /plaintext HTTP/1.1",
            "Host: 127.0.0.1:8080")),
        ("form-post", Head(
            "POST /login?next=%2Fhome HTTP/1.1",
            "Host: www.example.com",
            "Content-Type: application/x-www-form-urlencoded",
            "Content-Length: 29",
            "Cookie: csrftoken=abc123") + "user=ann&password=p%40ss+word"),
        ("pipelined", (
            "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")),
        ("leading-crlf", ("\r\nGET /after-body HTTP/1.1\r\nHost: h\r\n\r\n")),
        ("obs-text-value", Head(
            "GET /caf%C3%A9 HTTP/1.1",
            "Host: h",
            "X-Name: caf\u00e9 \u00fcber",
            "Accept: text/*;q=0.5,\ttext/html")),
    ]);

    public static readonly (string Name, byte[] Bytes)[] Responses = Encode(
    
    [
        ("nginx-200", Head(
            "HTTP/1.1 200 OK",
            "Server: nginx/1.22.1",
            "Date: Thu, 26 Nov 2026 07:04:31 GMT",
            "Content-Type: text/html; charset=utf-8",
            "Content-Length: 1256",
            "Last-Modified: Tue, 24 Nov 2026 10:00:00 GMT",
            "Connection: keep-alive",
            "ETag: \"5e15153d-4e8\"",
            "Accept-Ranges: bytes")),
        ("chunked", Head(
            "HTTP/1.1 200 OK",
            "Content-Type: application/json",
            "Transfer-Encoding: chunked",
            "Vary: Accept-Encoding") + "7\r\n{\"a\":1}\r\n0\r\n\r\n"),
        ("not-modified", Head(
            "HTTP/1.1 304 Not Modified",
            "ETag: W/\"abc\"",
            "Cache-Control: max-age=60")),
        ("no-content", Head("HTTP/1.1 204 No Content", "Server: httpgen")),
        ("switching", Head(
            "HTTP/1.1 101 Switching Protocols",
            "Upgrade: websocket",
            "Connection: Upgrade",
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")),
        ("http10-close", Head("HTTP/1.0 200 OK", "Content-Type: text/plain") + "until the connection closes"),
        ("redirect", Head(
            "HTTP/1.1 301 Moved Permanently",
            "Location: https://www.example.com/new?x=1",
            "Content-Length: 0",
            "Retry-After: 120")),
        ("cookies", Head(
            "HTTP/1.1 200 OK",
            "Set-Cookie: id=a3fWa; Expires=Thu, 21 Oct 2027 07:28:00 GMT; Secure; HttpOnly",
            "Set-Cookie: theme=dark; Path=/",
            "Content-Length: 2") + "ok"),
        ("error-close", Head(
            "HTTP/1.1 503 Service Unavailable",
            "Connection: close",
            "Retry-After: 30",
            "Content-Type: text/plain",
            "Content-Length: 11") + "unavailable"),
        ("continue-then-ok", ("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")),
    ]);

    /// <summary>The lines joined with CRLF, then the blank line.</summary>
    private static string Head(params string[] lines) => string.Join("\r\n", lines) + "\r\n\r\n";

    private static (string, byte[])[] Encode(params (string Name, string Text)[] entries) =>
        entries.Select(e => (e.Name, Encoding.Latin1.GetBytes(e.Text))).ToArray();
}
