using System.Buffers;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using HttpGen.Formatting;
using HttpGen.Parsing;

namespace HttpGen.Messages;

/// <summary>
/// Everything a generated message type holds, in one field: the parser state, the declared headers' values, the
/// options, copies of values set from spans, and the extra headers. The generated members forward to it; what depends
/// on the declared headers lives in <typeparamref name="THeaders"/>, which the generator emits per type.
/// </summary>
/// <remarks>
/// Generic over two structs, so every message type gets its own compiled copy of this code, with direct calls into its
/// header struct: the parse loop and the writer run as if written by hand for that type. Members that read
/// <see cref="Parser"/> or <see cref="Declared"/> are not <c>readonly</c> on purpose: in a readonly member, each call
/// through the interfaces would first copy the whole struct, since the compiler cannot tell that the call writes nothing.
/// </remarks>
/// <typeparam name="TParser"><see cref="RequestHeadParser"/> or <see cref="ResponseHeadParser"/>.</typeparam>
/// <typeparam name="THeaders">The generated struct of the declared headers.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public partial struct MessageCore<TParser, THeaders>
    where TParser : struct, IMessageParser
    where THeaders : struct, IDeclaredHeaders
{
    /// <summary>The parse state: start line, framing, keep-alive, error, and values set for writing.</summary>
    public TParser Parser;

    /// <summary>The values of the declared headers.</summary>
    public THeaders Declared;

    private ParserOptions? _options; // null: the type's default
    private ValueArena _arena;       // copies of values set from spans
    private HeaderList? _extraHeaders;

    /// <summary>The parse limits: set, or the type's default (the attribute's limits over <see cref="ParserOptions.Default"/>).</summary>
    public ParserOptions Options
    {
        readonly get => _options ?? THeaders.DefaultOptions;
        set => _options = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Headers to write besides the declared ones; created on first use, cleared by <see cref="Reset"/>.</summary>
    public HeaderList ExtraHeaders => _extraHeaders ??= new();

    /// <summary>Parses a head into the parser and the declared headers.</summary>
    /// <param name="source">The head's bytes, from its first byte.</param>
    /// <param name="bytesConsumed">On Done, the head's length through the blank line; otherwise 0.</param>
    /// <returns>Done, NeedMoreData or InvalidData.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public OperationStatus TryParse(ReadOnlyMemory<byte> source, out int bytesConsumed) =>
        Parser.Parse(source, ref Declared, Options, out bytesConsumed);

    /// <summary>Parses a head that may span segments.</summary>
    /// <param name="source">The head's bytes, from its first byte.</param>
    /// <param name="bytesConsumed">On Done, the head's length through the blank line; otherwise 0.</param>
    /// <returns>Done, NeedMoreData or InvalidData.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public OperationStatus TryParse(in ReadOnlySequence<byte> source, out int bytesConsumed) =>
        Parser.Parse(source, ref Declared, Options, out bytesConsumed);

    /// <summary>Forgets everything parsed or set but the options, keeping buffers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Reset()
    {
        Parser.Reset();
        Declared = default;
        _arena.Clear();
        _extraHeaders?.Clear();
    }

    /// <summary>Writes the head: start line, declared headers, extra headers, framing, blank line.</summary>
    /// <param name="destination">Where to write.</param>
    /// <param name="bytesWritten">The head's length; 0 when it did not fit.</param>
    /// <returns>False when <paramref name="destination"/> is too small.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryFormat(Span<byte> destination, out int bytesWritten)
    {
        var writer = new HeadWriter(destination);
        Parser.WriteStart(ref writer, _extraHeaders, Declared.HasHost, Declared.HasDate);
        Declared.Write(ref writer, Parser.Head);
        return Parser.TryWriteEnd(ref writer, _extraHeaders, out bytesWritten);
    }

    /// <summary>Writes the head into <paramref name="writer"/>, asking it for more room until the head fits.</summary>
    /// <param name="writer">Where to write.</param>
    public void WriteTo(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        int sizeHint = 512;
        while (true)
        {
            Span<byte> span = writer.GetSpan(sizeHint);
            if (TryFormat(span, out int written))
            {
                writer.Advance(written);
                return;
            }

            sizeHint = checked(Math.Max(span.Length, sizeHint) * 2);
        }
    }

    /// <summary>A <c>ReadOnlySpan&lt;byte&gt;</c> property's value: empty when absent.</summary>
    /// <param name="slot">The property's slot in <see cref="Declared"/>.</param>
    /// <returns>The bytes, read from the buffer of the latest parse call when parsed.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<byte> Span(in BytesSlot slot) => slot.IsPresent ? slot.Bytes.Resolve(Parser.Head).Span : default;

    /// <summary>A <see cref="HeaderValue"/> property's value: <c>default</c> (not present) when absent.</summary>
    /// <param name="slot">The property's slot in <see cref="Declared"/>.</param>
    /// <returns>The value.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public HeaderValue Value(in BytesSlot slot) => slot.IsPresent ? HeaderValue.FromParsed(slot.Bytes.Resolve(Parser.Head)) : default;

    /// <summary>A <c>string?</c> property's value, decoded as Latin-1 on first read: null when absent.</summary>
    /// <param name="slot">The property's slot in <see cref="Declared"/>.</param>
    /// <returns>The text.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public string? String(ref StringSlot slot) => slot.Get(Parser.Head);

    /// <summary>Sets a <c>ReadOnlySpan&lt;byte&gt;</c> property: validates and copies the bytes; empty removes the header.</summary>
    /// <param name="slot">The property's slot in <see cref="Declared"/>.</param>
    /// <param name="value">The bytes.</param>
    /// <exception cref="ArgumentException">The bytes cannot be a field value.</exception>
    public void Set(ref BytesSlot slot, ReadOnlySpan<byte> value)
    {
        HeaderValidation.ValidateValue(value, nameof(value));
        slot.SetOwned(_arena.Copy(value), present: !value.IsEmpty);
    }

    /// <summary>Sets a settable Content-Length property, and with it <see cref="IMessageParser.Framing"/>.</summary>
    /// <param name="slot">The property's slot in <see cref="Declared"/>.</param>
    /// <param name="value">The length; null removes it (and the framing).</param>
    /// <exception cref="ArgumentOutOfRangeException">The length is negative.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetContentLength(ref NumberSlot slot, long? value)
    {
        slot.Set(value);
        Parser.Framing = value.HasValue ? new BodyFraming(BodyKind.ContentLength, value.GetValueOrDefault()) : default;
    }

    /// <summary>A method set from its bytes: validated as a token, then copied.</summary>
    /// <param name="value">The method.</param>
    /// <returns>The copy, for the parser to keep.</returns>
    /// <exception cref="ArgumentException">The bytes are not a token.</exception>
    public ReadOnlyMemory<byte> CopyMethod(ReadOnlySpan<byte> value)
    {
        HeaderValidation.ValidateName(value, nameof(value));
        return _arena.Copy(value);
    }

    /// <summary>A request-target set from its bytes: validated, then copied.</summary>
    /// <param name="value">The target.</param>
    /// <returns>The copy, for the parser to keep.</returns>
    /// <exception cref="ArgumentException">The bytes cannot be a request-target.</exception>
    public ReadOnlyMemory<byte> CopyTarget(ReadOnlySpan<byte> value)
    {
        HeaderValidation.ValidateTarget(value, nameof(value));
        return _arena.Copy(value);
    }

    /// <summary>A reason phrase set from its bytes: validated, then copied.</summary>
    /// <param name="value">The reason phrase.</param>
    /// <returns>The copy, for the parser to keep.</returns>
    /// <exception cref="ArgumentException">The bytes cannot be a reason phrase.</exception>
    public ReadOnlyMemory<byte> CopyReasonPhrase(ReadOnlySpan<byte> value)
    {
        HeaderValidation.ValidateReasonPhrase(value, nameof(value));
        return _arena.Copy(value);
    }
}
