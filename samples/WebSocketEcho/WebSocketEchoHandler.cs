using System.Buffers;
using System.Buffers.Text;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using HttpGen;
using HttpGen.Server;

namespace WebSocketEcho;

/// <summary>
/// Every path accepts a WebSocket opening handshake (RFC 6455 §4.2): the server answers 101 with the
/// <c>Sec-WebSocket-Accept</c> it computed from the client's key, takes the connection over, and echoes each message
/// back as it came (text or binary, fragment by fragment) with the BCL's <see cref="WebSocket"/> over the handed-over
/// stream. A request that is not a valid handshake gets 400 (426 for a WebSocket version other than 13).
/// </summary>
public sealed class WebSocketEchoHandler : IHttpHandler<WebSocketRequest, WebSocketResponse>
{
    private static readonly HeaderValue WebSocketProtocol = HeaderValue.Create("websocket");
    private static readonly HeaderValue TextPlain = HeaderValue.Create("text/plain");
    private static readonly HeaderValue Version13 = HeaderValue.Create("13");

    // RFC 6455 §1.3: the accept value is base64(SHA-1(key + this GUID)).
    private static ReadOnlySpan<byte> HandshakeGuid => "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"u8;

    /// <summary>The largest fragment received at once (a longer one arrives, and is echoed, in pieces).</summary>
    public int BufferSize { get; init; } = 16 * 1024;

    /// <inheritdoc/>
    public async ValueTask HandleAsync(WebSocketRequest request, WebSocketResponse response, HttpRequestBody requestBody, HttpResponseBody responseBody, CancellationToken cancellationToken)
    {
        if (Refusal(request, response, responseBody) is { } refusal)
        {
            response.StatusCode = refusal.Status;
            response.ContentType = TextPlain;
            responseBody.Write(Encoding.ASCII.GetBytes(refusal.Reason + "\n"));
            return;
        }

        response.Accept = HeaderValue.Create(ComputeAccept(request.Key.Span));
        Stream stream = await responseBody.AcceptUpgradeAsync(WebSocketProtocol, cancellationToken).ConfigureAwait(false);
        await EchoAsync(stream, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The accept value for a client's key: base64(SHA-1(key + GUID)).</summary>
    /// <param name="key">The Sec-WebSocket-Key value, as sent.</param>
    /// <returns>The Sec-WebSocket-Accept value (28 ASCII bytes).</returns>
    public static byte[] ComputeAccept(ReadOnlySpan<byte> key)
    {
        Span<byte> input = stackalloc byte[key.Length + HandshakeGuid.Length];
        key.CopyTo(input);
        HandshakeGuid.CopyTo(input[key.Length..]);
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
        SHA1.HashData(input, hash);
        byte[] accept = new byte[Base64.GetMaxEncodedToUtf8Length(hash.Length)];
        Base64.EncodeToUtf8(hash, accept, out _, out _);
        return accept;
    }

    // Null for a valid handshake; otherwise the status and why (and, for a version, the headers RFC 6455 asks for).
    private static (int Status, string Reason)? Refusal(WebSocketRequest request, WebSocketResponse response, HttpResponseBody responseBody)
    {
        if (!responseBody.CanUpgrade || !ListsWebSocket(request.Upgrade.Span))
        {
            return (400, "This server speaks WebSocket only: send an HTTP/1.1 GET with Connection: upgrade and Upgrade: websocket.");
        }

        if (request.Method != RequestMethod.Get)
        {
            return (400, "A WebSocket handshake is a GET request.");
        }

        if (!request.WebSocketVersion.IsPresent)
        {
            return (400, "Sec-WebSocket-Version is missing.");
        }

        if (!request.WebSocketVersion.Span.SequenceEqual("13"u8))
        {
            // RFC 6455 §4.4: name the version this server speaks.
            response.WebSocketVersion = Version13;
            response.ExtraHeaders.Add("Upgrade"u8, "websocket"u8);
            return (426, "Only WebSocket version 13 is spoken here.");
        }

        if (!IsValidKey(request.Key.Span))
        {
            return (400, "Sec-WebSocket-Key must be 16 bytes in base64.");
        }

        return null;
    }

    // The Upgrade field is a comma-separated list of protocols; "websocket" must be among them (ASCII case ignored).
    private static bool ListsWebSocket(ReadOnlySpan<byte> upgrade)
    {
        foreach (Range range in upgrade.Split((byte)','))
        {
            if (Ascii.EqualsIgnoreCase(upgrade[range].Trim((byte)' '), "websocket"u8))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsValidKey(ReadOnlySpan<byte> key)
    {
        Span<byte> decoded = stackalloc byte[18];
        return key.Length == 24
            && Base64.DecodeFromUtf8(key, decoded, out int consumed, out int written) == OperationStatus.Done
            && consumed == 24 && written == 16;
    }

    // Echoes until the client closes (the close is answered with the same status) or goes away. A server stop cancels
    // the token: the client is then sent a close (1001, going away) and the loop ends when it answers.
    private async Task EchoAsync(Stream stream, CancellationToken stopping)
    {
        using WebSocket socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions
        {
            IsServer = true,
            KeepAliveInterval = TimeSpan.FromSeconds(30),
            KeepAliveTimeout = TimeSpan.FromSeconds(30),
        });
        using CancellationTokenRegistration onStop = stopping.Register(static s => _ = CloseAsync((WebSocket)s!, WebSocketCloseStatus.EndpointUnavailable, "server stopping"), socket);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            while (true)
            {
                // No token here: cancelling a receive aborts the WebSocket, and a stop wants a close handshake instead.
                ValueWebSocketReceiveResult received = await socket.ReceiveAsync(buffer.AsMemory(0, BufferSize), CancellationToken.None).ConfigureAwait(false);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    if (socket.State == WebSocketState.CloseReceived)
                    {
                        await CloseAsync(socket, socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, socket.CloseStatusDescription).ConfigureAwait(false);
                    }

                    return;
                }

                await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (WebSocketException)
        {
            // The client went away without a close handshake, or stopped answering pings.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task CloseAsync(WebSocket socket, WebSocketCloseStatus status, string? description)
    {
        try
        {
            await socket.CloseOutputAsync(status, description, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or InvalidOperationException or IOException)
        {
        }
    }
}
