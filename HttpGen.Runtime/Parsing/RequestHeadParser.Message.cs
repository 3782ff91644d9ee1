using HttpGen.Formatting;
using HttpGen.Messages;

namespace HttpGen.Parsing;

// What the generic message core (HttpGen.Messages.MessageCore) uses beyond the members the parser has for itself.
public partial struct RequestHeadParser : IMessageParser
{
    /// <summary>The head bytes of the latest parse call: parsed values are ranges into them.</summary>
    public readonly ReadOnlyMemory<byte> Head => _buffer.Head;

    readonly void IMessageParser.WriteStart(ref HeadWriter writer, HeaderList? extraHeaders, bool hasDeclaredHost, bool hasDeclaredDate) =>
        WriteStart(ref writer, hasHost: hasDeclaredHost || extraHeaders is { ContainsHost: true });
}
