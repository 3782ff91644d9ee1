using HttpGen.Formatting;
using HttpGen.Parsing;
using HttpGen.Transport;

namespace HttpGen.Server;

// Handling one request: the handler's run, the response head (buffered or streaming), error responses, and the
// hand-off of the connection after an accepted upgrade or tunnel.
internal sealed partial class HttpConnection<TRequest, TResponse>
{
    // Facts about the request being handled that decide what the handler may answer.
    private bool _canUpgrade;
    private bool _isConnect;

    // The connection as the handler took it over (AcceptUpgradeAsync, AcceptTunnelAsync); disposed, and the connection
    // with it, when the handler's task completes.
    private HandOffStream? _handOff;

    // Runs the handler for the parsed request and queues its response. Returns whether to keep the connection.
    private async ValueTask<bool> HandleAsync()
    {
        ref RequestHeadParser head = ref TRequest.State(Request);
        BodyFraming framing = head.Framing;
        RequestMethod method = head.Method;
        // RFC 9110 §10.1.1 and §15.2: an HTTP/1.0 client is never sent a 1xx; its expectation is ignored.
        bool expectContinue = head.ExpectContinue && head.Version == ProtocolVersion.Http11;
        _requestKeepAlive = head.KeepAlive;
        _version = head.Version;
        _isHead = method == RequestMethod.Head;
        _isConnect = method == RequestMethod.Connect;

        // RFC 9110 §7.8: Upgrade is only honoured in HTTP/1.1, with the "upgrade" connection option.
        _canUpgrade = head.ConnectionUpgrade && head.Version == ProtocolVersion.Http11;

        if (framing.Kind == BodyKind.ContentLength && framing.ContentLength > _options.MaxRequestBodySize)
        {
            _server.OnRejected(ParseErrorKind.None, _listener.PortTag);
            QueueError(413, "request body too large");
            return false;
        }

        Body.Start(_io, framing, expectContinue, _options.MaxRequestBodySize, _options.BodyReadTimeout, _options.MinRequestBodyDataRate);
        TResponse.Clear(Response);
        TResponse.State(Response).RequestMethod = method;
        Output.Start(_io, this, _options.MaxBufferedResponseBody);

        _handlerCts ??= new CancellationTokenSource();
        try
        {
            ValueTask handled = _handler.HandleAsync(Request, Response, Body, Output, _handlerCts.Token);
            if (!handled.IsCompletedSuccessfully)
            {
                // Only a handler that waits can outlive its peer: the heartbeat watches the socket meanwhile.
                _handlerRunning = true;
                try
                {
                    await handled.ConfigureAwait(false);
                }
                finally
                {
                    _handlerRunning = false;
                }
            }
        }
        catch (HttpBodyException e)
        {
            if (!Output.HasStarted)
            {
                QueueError(e.StatusCode, e.Message);
            }

            return false;
        }
        catch (Exception) when (!Output.HasStarted && !_io.SendTimedOut)
        {
            QueueError(500, "internal server error");
            return false;
        }
        catch (Exception)
        {
            // The head is gone and part of the body with it, or the peer stopped reading: the only honest end is to
            // close, leaving the body visibly incomplete (no last chunk, or fewer bytes than Content-Length).
            return false;
        }

        if (_handOff is not null)
        {
            return false; // the connection is no longer HTTP: the loop closes it
        }

        bool keep = _requestKeepAlive && !_server.IsStopping && TResponse.State(Response).KeepAlive;
        if (!Body.IsComplete)
        {
            // A client that asked "Expect: 100-continue" and was never told to continue may or may not send its body:
            // the only safe way on is a fresh connection. A large unread body is not worth reading either.
            bool unreadExpect = expectContinue && !Body.ReadStarted;
            bool tooLarge = Body.Kind == BodyKind.ContentLength && Body.Length - Body.BytesRead > _options.MaxBodyDrainSize;
            keep &= !unreadExpect && !tooLarge;
        }

        if (Output.HasStarted)
        {
            try
            {
                Output.CompleteStreaming();
            }
            catch (InvalidOperationException)
            {
                return false; // more body than its Content-Length: not a byte of the excess is sent
            }

            keep &= Output.StreamingKind != BodyKind.ReadToClose && !ContentLengthBroken();
        }
        else if (!QueueBufferedResponse(ref keep))
        {
            return false;
        }

        if (keep && !Body.IsComplete)
        {
            await _io.FlushAsync().ConfigureAwait(false);
            keep = await Body.DrainAsync(_options.MaxBodyDrainSize).ConfigureAwait(false);
        }

        return keep;
    }

    private bool ContentLengthBroken()
    {
        BodyFraming framing = TResponse.State(Response).Framing;
        return framing.Kind == BodyKind.ContentLength && !Output.Discard && framing.ContentLength != Output.BytesWritten;
    }

    // The common case: the whole body is buffered, so the head can carry its exact Content-Length.
    private bool QueueBufferedResponse(ref bool keep)
    {
        ref ResponseHeadParser head = ref TResponse.State(Response);
        int status = head.StatusCode == 0 ? 200 : head.StatusCode;
        _lastStatus = status;
        bool noBody = _isHead || ReasonPhrases.ForbidsBody(status);
        BodyFraming framing = head.Framing;
        bool trailers = SendsTrailers(status);
        if (HeadProblem(status, framing.Kind, trailers) is { } problem)
        {
            QueueError(500, problem);
            return false;
        }

        if (trailers)
        {
            framing = new BodyFraming(BodyKind.Chunked, 0);
            Response.ExtraHeaders.Add("Trailer", Output.DeclaredTrailers!);
        }
        else if (framing.Kind == BodyKind.None && !ReasonPhrases.ForbidsBody(status))
        {
            framing = new BodyFraming(BodyKind.ContentLength, Output.BytesWritten);
        }
        else if (framing.Kind == BodyKind.ContentLength && !noBody && framing.ContentLength != Output.BytesWritten)
        {
            // The handler declared one length and wrote another: sending either would desynchronize the client.
            QueueError(500, "response body length differs from its Content-Length");
            return false;
        }

        keep &= framing.Kind != BodyKind.ReadToClose;
        head.Framing = framing;
        head.KeepAlive = keep;
        head.AnnounceKeepAlive = keep && _version == ProtocolVersion.Http10;
        QueueHead();
        if (!noBody)
        {
            if (framing.Kind == BodyKind.Chunked)
            {
                Output.AppendBufferedAsChunked();
            }
            else
            {
                _io.AppendOut(Output.Buffered);
            }
        }

        return true;
    }

    BodyKind HttpResponseBody.IStarter.StartStreaming()
    {
        ref ResponseHeadParser head = ref TResponse.State(Response);
        int status = head.StatusCode == 0 ? 200 : head.StatusCode;
        _lastStatus = status;
        bool noBody = _isHead || ReasonPhrases.ForbidsBody(status);
        bool trailers = SendsTrailers(status);
        if (HeadProblem(status, head.Framing.Kind, trailers) is { } problem)
        {
            throw new InvalidOperationException("The response cannot be sent: " + problem + ".");
        }

        if (trailers)
        {
            Response.ExtraHeaders.Add("Trailer", Output.DeclaredTrailers!);
        }

        BodyKind kind = head.Framing.Kind switch
        {
            _ when trailers => BodyKind.Chunked,
            BodyKind.ContentLength => BodyKind.ContentLength,
            _ when ReasonPhrases.ForbidsBody(status) => BodyKind.None,
            _ when _version == ProtocolVersion.Http11 => BodyKind.Chunked,
            _ => BodyKind.ReadToClose, // an HTTP/1.0 client knows no chunked coding: the close ends the body
        };
        bool keep = kind != BodyKind.ReadToClose && _requestKeepAlive && !_server.IsStopping && head.KeepAlive;
        head.Framing = new BodyFraming(kind, head.Framing.ContentLength);
        head.KeepAlive = keep;
        head.AnnounceKeepAlive = keep && _version == ProtocolVersion.Http10;
        Output.Discard = noBody;
        QueueHead();
        return kind;
    }

    // Trailer fields go out after the last chunk: only with a body, to an HTTP/1.1 client (HEAD says what GET would).
    private bool SendsTrailers(int status) =>
        Output.DeclaredTrailers is not null && _version == ProtocolVersion.Http11 && !ReasonPhrases.ForbidsBody(status);

    // What the handler asked for that no response head can say; null when the head can be written. A 101, or a 2xx to
    // CONNECT, switches the connection to another protocol: only the hand-off sends one, since after it the server must
    // not read the connection as HTTP (a handler that set the status and returned would leave the client stranded).
    private string? HeadProblem(int status, BodyKind framing, bool trailers) =>
        status == 101 ? "a 101 (Switching Protocols) response is sent by HttpResponseBody.AcceptUpgradeAsync, which hands the connection over"
        : _isConnect && status is >= 200 and < 300 ? "a 2xx response to CONNECT is sent by HttpResponseBody.AcceptTunnelAsync, which hands the connection over"
        : trailers && framing == BodyKind.ContentLength ? "trailer fields need a chunked body, not a Content-Length"
        : null;

    bool HttpResponseBody.IStarter.CanUpgrade => _canUpgrade;

    ValueTask<Stream> HttpResponseBody.IStarter.HandOver(HeaderValue protocol, bool tunnel)
    {
        ref ResponseHeadParser head = ref TResponse.State(Response);
        int status;
        if (tunnel)
        {
            if (!_isConnect)
            {
                throw new InvalidOperationException("Only a CONNECT request can be answered with a tunnel.");
            }

            status = head.StatusCode == 0 ? 200 : head.StatusCode;
            if (status is < 200 or >= 300)
            {
                throw new InvalidOperationException($"A tunnel opens with a 2xx status, not {status}.");
            }
        }
        else
        {
            if (!_canUpgrade)
            {
                throw new InvalidOperationException("This request cannot be upgraded: only an HTTP/1.1 request with 'Connection: upgrade' can (see HttpResponseBody.CanUpgrade).");
            }

            if (protocol.Length == 0)
            {
                throw new ArgumentException("Name the protocol switched to, as the request's Upgrade field does.", nameof(protocol));
            }

            status = 101;
        }

        if (!Body.IsComplete)
        {
            throw new InvalidOperationException("Read the request body to its end before handing the connection over: its bytes would be read as the new protocol's.");
        }

        if (!tunnel)
        {
            Response.ExtraHeaders.Add("Upgrade"u8, protocol.Span); // validated; Connection: upgrade comes with a 101
        }

        if (head.StatusCode != status)
        {
            head.StatusCode = status; // keeps a reason phrase the handler set for its 2xx
        }

        StopWatchingPeer(); // the socket is the handler's from now on
        head.Framing = default;
        head.HandsOver = true; // no framing headers; a 101 says Connection: upgrade
        head.KeepAlive = true;
        head.AnnounceKeepAlive = false;
        _lastStatus = status;
        QueueHead();
        return SendAndHandOverAsync();
    }

    private async ValueTask<Stream> SendAndHandOverAsync()
    {
        await _io.FlushAsync().ConfigureAwait(false);
        _handOff = HandOffStream.TakeOver(_io);
        return _handOff;
    }

    long HttpResponseBody.IStarter.DeclaredLength => TResponse.State(Response).Framing.ContentLength;

    private void QueueHead()
    {
        int sizeHint = 512;
        while (true)
        {
            Span<byte> span = _io.GetOutSpan(sizeHint);
            if (TResponse.Format(Response, span, out int written))
            {
                _io.OutLength += written;
                return;
            }

            sizeHint = span.Length * 2;
        }
    }

    // Error responses are written by the runtime, not through the user's response type: they must not depend on it.
    private void QueueError(int statusCode, string reason)
    {
        _lastStatus = statusCode;
        var writer = new HeadWriter(_io.GetOutSpan(512));
        writer.WriteStatusLine(statusCode, ReasonPhrases.Get(statusCode));
        writer.Write(HttpDate.HeaderLine);
        writer.Write("Content-Type: text/plain; charset=utf-8\r\n"u8);
        writer.WriteHeader("Content-Length: "u8, reason.Length + 1);
        writer.Write("Connection: close\r\n"u8);
        writer.TryComplete(out int written);
        _io.OutLength += written;
        Span<byte> body = _io.GetOutSpan(reason.Length + 1);
        System.Text.Encoding.Latin1.GetBytes(reason, body);
        body[reason.Length] = (byte)'\n';
        _io.OutLength += reason.Length + 1;
    }
}
