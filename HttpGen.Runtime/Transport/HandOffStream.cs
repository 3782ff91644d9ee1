namespace HttpGen.Transport;

/// <summary>
/// A connection handed over to its user after HTTP stopped on it (an upgrade, a tunnel): a duplex stream over the
/// transport's own stream (a <see cref="System.Net.Sockets.NetworkStream"/>, or the TLS stream), that first yields the
/// bytes which arrived after the last HTTP head and were already buffered. Disposing it closes the connection. Reads and
/// writes may run at the same time (one of each), as on the stream underneath.
/// </summary>
internal sealed class HandOffStream : Stream
{
    private readonly Stream _inner;
    private readonly byte[] _early;
    private int _earlyOffset;

    public HandOffStream(Stream inner, byte[] early)
    {
        _inner = inner;
        _early = early;
    }

    /// <summary>
    /// Takes <paramref name="io"/>'s connection over (server or client, once its last HTTP head is done): the bytes
    /// buffered after that head become the stream's first, the buffers go back to the pool, and the stream reads and
    /// writes the transport's own stream (TLS, or the socket, which it then owns).
    /// </summary>
    public static HandOffStream TakeOver(ConnectionIO io)
    {
        byte[] early = io.BufferedSpan.ToArray();
        io.Consume(io.Buffered);
        io.ReleaseIdleBuffers();
        return new HandOffStream(io.Transport.DetachStream(), early);
    }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override bool CanTimeout => _inner.CanTimeout;

    public override int ReadTimeout
    {
        get => _inner.ReadTimeout;
        set => _inner.ReadTimeout = value;
    }

    public override int WriteTimeout
    {
        get => _inner.WriteTimeout;
        set => _inner.WriteTimeout = value;
    }

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    // The early bytes first; true when some were copied.
    private bool TryReadEarly(Span<byte> destination, out int count)
    {
        count = Math.Min(_early.Length - _earlyOffset, destination.Length);
        if (count <= 0)
        {
            count = 0;
            return false;
        }

        _early.AsSpan(_earlyOffset, count).CopyTo(destination);
        _earlyOffset += count;
        return true;
    }

    public override int Read(Span<byte> buffer) =>
        TryReadEarly(buffer, out int count) ? count : _inner.Read(buffer);

    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Read(buffer.AsSpan(offset, count));
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        TryReadEarly(buffer.Span, out int count) ? new ValueTask<int>(count) : _inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    public override void Write(ReadOnlySpan<byte> buffer) => _inner.Write(buffer);

    public override void Write(byte[] buffer, int offset, int count) => _inner.Write(buffer, offset, count);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        _inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Flush() => _inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return _inner.DisposeAsync();
    }
}
