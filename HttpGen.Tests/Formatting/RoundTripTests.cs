using System.Buffers;
using System.Text;
using Xunit;

namespace HttpGen.Tests.Formatting;

/// <summary>
/// Property tests: whatever the generated serializer writes, the generated parser reads back as the same values.
/// Seeded, so a failure names a case that can be replayed.
/// </summary>
public class RoundTripTests
{
    private const int Cases = 10_000;
    private const string TokenChars = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private const string PathChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@";

    [Fact]
    public void Requests_round_trip()
    {
        var random = new Random(20261126);
        var writer = new ArrayBufferWriter<byte>();
        var sent = new ClientRequest();
        var received = new ClientRequest();
        for (int i = 0; i < Cases; i++)
        {
            sent.Reset();
            received.Reset();
            writer.ResetWrittenCount();

            RequestMethod method = (RequestMethod)random.Next((int)RequestMethod.Get, (int)RequestMethod.Connect + 1);
            string target = RandomTarget(random, ref method);
            bool custom = random.Next(8) == 0 && method is not (RequestMethod.Connect or RequestMethod.Options);
            if (custom)
            {
                sent.RawMethod = Encoding.ASCII.GetBytes("X" + RandomString(random, TokenChars, 0, 12));
            }
            else
            {
                sent.Method = method;
            }

            sent.Target = Encoding.ASCII.GetBytes(target);
            sent.Host = Encoding.ASCII.GetBytes(RandomString(random, "abcdefghijklmnopqrstuvwxyz0123456789.-", 1, 30) + (random.Next(2) == 0 ? "" : ":" + random.Next(1, 65536)));
            string? accept = random.Next(4) == 0 ? null : RandomValue(random);
            sent.Accept = accept;
            string? userAgent = random.Next(4) == 0 ? null : RandomValue(random);
            sent.UserAgent = userAgent is null ? default : HeaderValue.Create(userAgent);
            int? maxForwards = random.Next(3) == 0 ? null : random.Next();
            sent.MaxForwards = maxForwards;
            long? offset = random.Next(3) == 0 ? null : random.NextInt64(0, long.MaxValue);
            sent.Offset = offset;
            bool dnt = random.Next(2) == 0;
            sent.DoNotTrack = dnt;
            BodyFraming framing = random.Next(3) switch
            {
                0 => default,
                1 => new BodyFraming(BodyKind.ContentLength, random.NextInt64(0, long.MaxValue)),
                _ => new BodyFraming(BodyKind.Chunked, 0),
            };
            sent.BodyFraming = framing;
            bool keepAlive = random.Next(4) != 0;
            sent.KeepAlive = keepAlive;
            List<(string Name, string Value)> extras = AddRandomExtraHeaders(random, sent.ExtraHeaders);

            sent.WriteTo(writer);
            string context = $"case {i}: {Encoding.Latin1.GetString(writer.WrittenSpan)}";
            Assert.True(OperationStatus.Done == received.TryParse(writer.WrittenMemory, out int consumed), context + " -> " + received.Error);
            Assert.Equal(writer.WrittenCount, consumed);
            Assert.True(sent.RawMethod.SequenceEqual(received.RawMethod), context);
            Assert.Equal(sent.Method, received.Method);
            Assert.Equal(target, Encoding.ASCII.GetString(received.Target));
            Assert.True(sent.Path.SequenceEqual(received.Path), context);
            Assert.True(sent.Query.SequenceEqual(received.Query), context);
            Assert.Equal(sent.TargetForm, received.TargetForm);
            Assert.True(sent.Host.SequenceEqual(received.Host), context);
            Assert.Equal(accept, received.Accept);
            Assert.Equal(userAgent is not null, received.UserAgent.IsPresent);
            Assert.Equal(userAgent ?? "", received.UserAgent.ToString());
            Assert.Equal(maxForwards, received.MaxForwards);
            Assert.Equal(offset, received.Offset);
            Assert.Equal(dnt, received.DoNotTrack);
            Assert.Equal(framing, received.BodyFraming);
            Assert.Equal(keepAlive, received.KeepAlive);
            Assert.Equal(framing.Kind == BodyKind.ContentLength ? framing.ContentLength : null, received.ContentLength);
            AssertExtras(extras, received.Headers, context);
        }
    }

    [Fact]
    public void Responses_round_trip()
    {
        var random = new Random(1126);
        var writer = new ArrayBufferWriter<byte>();
        var sent = new OrderResponse();
        var received = new OrderResponse();
        for (int i = 0; i < Cases; i++)
        {
            sent.Reset();
            received.Reset();
            writer.ResetWrittenCount();

            int status = random.Next(4) == 0 ? random.Next(100, 1000) : new[] { 100, 200, 201, 204, 301, 304, 404, 500, 503 }[random.Next(9)];
            sent.StatusCode = status;
            string? reason = random.Next(3) == 0 ? RandomValue(random) : null;
            if (reason is not null)
            {
                sent.ReasonPhrase = Encoding.Latin1.GetBytes(reason);
            }

            string? contentType = random.Next(3) == 0 ? null : RandomValue(random);
            sent.ContentType = contentType is null ? default : HeaderValue.Create(contentType);
            string? etag = random.Next(2) == 0 ? null : "\"" + RandomString(random, PathChars, 0, 20) + "\"";
            sent.ETag = etag;
            string? cacheControl = random.Next(2) == 0 ? null : RandomValue(random);
            sent.CacheControl = cacheControl is null ? default : HeaderValue.Create(cacheControl);
            int? retryAfter = random.Next(3) == 0 ? random.Next() : null;
            sent.RetryAfter = retryAfter;
            BodyFraming framing = random.Next(4) switch
            {
                0 => default,
                1 => new BodyFraming(BodyKind.ContentLength, random.NextInt64(0, long.MaxValue)),
                2 => new BodyFraming(BodyKind.ReadToClose, 0),
                _ => new BodyFraming(BodyKind.Chunked, 0),
            };
            sent.BodyFraming = framing;
            bool keepAlive = random.Next(4) != 0;
            sent.KeepAlive = keepAlive;
            List<(string Name, string Value)> extras = AddRandomExtraHeaders(random, sent.ExtraHeaders);

            sent.WriteTo(writer);
            string context = $"case {i}: {Encoding.Latin1.GetString(writer.WrittenSpan)}";
            received.RequestMethod = RequestMethod.Get;
            Assert.True(OperationStatus.Done == received.TryParse(writer.WrittenMemory, out int consumed), context + " -> " + received.Error);
            Assert.Equal(writer.WrittenCount, consumed);
            Assert.Equal(status, received.StatusCode);
            Assert.True(sent.ReasonPhrase.SequenceEqual(received.ReasonPhrase), context);
            Assert.Equal(contentType ?? "", received.ContentType.ToString());
            Assert.Equal(contentType is not null, received.ContentType.IsPresent);
            Assert.Equal(etag, received.ETag);
            Assert.Equal(cacheControl is not null, received.CacheControl.IsPresent);
            Assert.Equal(retryAfter, received.RetryAfter);

            // What the receiver must conclude about the body (RFC 9112 §6.3), given what was written.
            BodyFraming expected = ReasonPhrases.ForbidsBody(status) ? default
                : framing.Kind == BodyKind.None ? new BodyFraming(BodyKind.ContentLength, 0)
                : framing;
            Assert.Equal(expected, received.BodyFraming);
            // A body delimited by the close is announced with Connection: close, whatever the status.
            Assert.True((keepAlive && framing.Kind != BodyKind.ReadToClose) == received.KeepAlive, context);
            AssertExtras(extras, received.Headers, context);
        }
    }

    // Up to three undeclared headers, added to the message and returned for comparison.
    private static List<(string Name, string Value)> AddRandomExtraHeaders(Random random, HeaderList headers)
    {
        var extras = new List<(string Name, string Value)>();
        for (int e = random.Next(4); e > 0; e--)
        {
            (string Name, string Value) extra = ("X-" + RandomString(random, TokenChars, 1, 20), RandomValue(random));
            extras.Add(extra);
            headers.Add(extra.Name, extra.Value);
        }

        return extras;
    }

    private static void AssertExtras(List<(string Name, string Value)> extras, HeaderFieldEnumerator headers, string context)
    {
        var seen = new List<(string, string)>();
        foreach (HeaderField field in headers)
        {
            string name = Encoding.Latin1.GetString(field.Name);
            if (name.StartsWith("X-", StringComparison.Ordinal) && name != "X-Offset")
            {
                seen.Add((name, Encoding.Latin1.GetString(field.Value)));
            }
        }

        Assert.True(extras.SequenceEqual(seen), context);
    }

    private static string RandomTarget(Random random, ref RequestMethod method)
    {
        switch (method)
        {
            case RequestMethod.Connect:
                return RandomString(random, "abcdefghijklmnopqrstuvwxyz0123456789.-", 1, 20) + ":" + random.Next(1, 65536);
            case RequestMethod.Options when random.Next(2) == 0:
                return "*";
        }

        var target = new StringBuilder();
        if (random.Next(6) == 0)
        {
            target.Append(random.Next(2) == 0 ? "http://" : "https://").Append(RandomString(random, "abcdefghijklmnopqrstuvwxyz0123456789.-", 1, 20));
        }

        for (int segments = random.Next(1, 5); segments > 0; segments--)
        {
            target.Append('/').Append(RandomString(random, PathChars, 0, 12));
            if (random.Next(5) == 0)
            {
                target.Append('%').Append("0123456789ABCDEFabcdef"[random.Next(22)]).Append("0123456789ABCDEF"[random.Next(16)]);
            }
        }

        if (random.Next(2) == 0)
        {
            target.Append('?').Append(RandomString(random, PathChars + "/?", 0, 30));
        }

        return target.ToString();
    }

    // A field value: visible ASCII and obs-text, with spaces and tabs inside but never at either end.
    private static string RandomValue(Random random)
    {
        int length = random.Next(0, 40);
        var chars = new char[length];
        for (int i = 0; i < length; i++)
        {
            int pick = random.Next(20);
            chars[i] = pick == 0 ? ' ' : pick == 1 ? '\t' : pick == 2 ? (char)random.Next(0x80, 0x100) : (char)random.Next(0x21, 0x7F);
        }

        return new string(chars).Trim(' ', '\t');
    }

    private static string RandomString(Random random, string alphabet, int min, int max)
    {
        int length = random.Next(min, max + 1);
        var chars = new char[length];
        for (int i = 0; i < length; i++)
        {
            chars[i] = alphabet[random.Next(alphabet.Length)];
        }

        return new string(chars);
    }
}
