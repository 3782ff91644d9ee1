namespace HttpGen.Parsing;

// The client side of a request head: values set for writing, and the writing itself. A set target or method
// replaces the parsed one.
public partial struct RequestHeadParser
{
    /// <summary>Sets a standard method for writing.</summary>
    public void SetMethod(RequestMethod method)
    {
        if (method is RequestMethod.None or RequestMethod.Custom || !Enum.IsDefined(method))
        {
            throw new ArgumentOutOfRangeException(nameof(method), method, "Set a standard method here; use RawMethod for a custom one.");
        }

        _method = method;
        _setRawMethod = KnownMethodBytes(method);
    }

    /// <summary>Sets the method from its bytes (a validated token, owned by the caller).</summary>
    public void SetRawMethod(ReadOnlyMemory<byte> method)
    {
        _method = ClassifyMethod(method.Span);
        _setRawMethod = method;
    }

    /// <summary>Sets the request-target for writing (validated and owned by the caller); Path, Query and TargetForm follow it.</summary>
    public void SetTarget(ReadOnlyMemory<byte> target)
    {
        // Classify by shape alone: the method may be set after the target.
        RequestMethod shape = target.Span is [(byte)'*'] ? RequestMethod.Options : _method == RequestMethod.Connect ? _method : RequestMethod.None;
        _defaultPath = false;
        if (!ClassifyTarget(target.Span, 0, shape))
        {
            throw new ArgumentException("The request-target is not in origin, absolute, authority or asterisk form.", nameof(target));
        }

        _targetSet = true;
        _setTarget = target;
        _target = new HeaderRange(0, target.Length);
    }

    private static ReadOnlyMemory<byte> KnownMethodBytes(RequestMethod method) => method switch
    {
        RequestMethod.Get => KnownMethods.Get,
        RequestMethod.Head => KnownMethods.Head,
        RequestMethod.Post => KnownMethods.Post,
        RequestMethod.Put => KnownMethods.Put,
        RequestMethod.Delete => KnownMethods.Delete,
        RequestMethod.Options => KnownMethods.Options,
        RequestMethod.Patch => KnownMethods.Patch,
        RequestMethod.Trace => KnownMethods.Trace,
        _ => KnownMethods.Connect,
    };

    private static class KnownMethods
    {
        public static readonly byte[] Get = "GET"u8.ToArray(), Head = "HEAD"u8.ToArray(), Post = "POST"u8.ToArray(), Put = "PUT"u8.ToArray(),
            Delete = "DELETE"u8.ToArray(), Options = "OPTIONS"u8.ToArray(), Patch = "PATCH"u8.ToArray(), Trace = "TRACE"u8.ToArray(),
            Connect = "CONNECT"u8.ToArray();
    }

    /// <summary>
    /// Writes the request line (GET and "/" when never set), checking that an HTTP/1.1 request will carry a Host.
    /// </summary>
    /// <exception cref="InvalidOperationException">Neither a declared Host nor an extra Host header was set.</exception>
    public readonly void WriteStart(ref Formatting.HeadWriter writer, bool hasHost)
    {
        if (!hasHost)
        {
            throw new InvalidOperationException("An HTTP/1.1 request needs a Host header: set the declared Host property or add one to ExtraHeaders.");
        }

        ReadOnlySpan<byte> method = RawMethod;
        ReadOnlySpan<byte> target = Target;
        // Parsed ones are views of memory the caller may have changed since; set ones are copies.
        writer.WriteRequestLine(method.IsEmpty ? "GET"u8 : method, target.IsEmpty ? "/"u8 : target, checkMethod: _setRawMethod.IsEmpty, checkTarget: !_targetSet);
    }

    /// <summary>Writes the extra headers, the framing headers and the blank line.</summary>
    public readonly bool TryWriteEnd(ref Formatting.HeadWriter writer, HeaderList? extraHeaders, out int bytesWritten)
    {
        if (extraHeaders is not null)
        {
            writer.Write(extraHeaders.Lines);
        }

        writer.WriteFraming(_framing, !_connectionClose, statusCode: 0);
        return writer.TryComplete(out bytesWritten);
    }
}
