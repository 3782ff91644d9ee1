using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using HttpGen.Caching;
using HttpGen.Formatting;
using Xunit;

namespace HttpGen.Tests.Caching;

/// <summary>A clock that moves only when told to.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Time { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Time;
}

/// <summary>
/// One step of a conformance row: at a time (seconds after <see cref="CacheScenario.T0"/>), a request; the origin's
/// answer should the cache forward it; and the expected outcome as <see cref="CacheScenario"/> describes it.
/// </summary>
/// <param name="At">Seconds after T0 when the request arrives.</param>
/// <param name="Request"><c>METHOD /target</c>, then header lines, separated by '\n'. Host is example.com unless given.</param>
/// <param name="Origin">
/// The origin's answer: the status code, then header lines, separated by '\n'; <c>fail</c> when it cannot be reached;
/// null when it must not be asked; two answers separated by <c>\n||\n</c> when the cache retries. A Date of the request time is added unless a Date line is given. Values may say
/// <c>T+n</c> / <c>T-n</c> for the HTTP-date n seconds after / before T0. Pseudo-lines: <c>Body: text</c> (default
/// <c>#</c> and the step number), <c>Delay: n</c> (the response arrives n seconds after the request was sent).
/// </param>
/// <param name="Expect">The outcome, as <see cref="CacheScenario.Run"/> writes it.</param>
public sealed record CacheStep(int At, string Request, string? Origin, string Expect);

/// <summary>
/// Runs requests through an <see cref="HttpCache"/> with a controlled clock and a scripted origin, and describes each
/// exchange in one line:
/// <list type="bullet">
/// <item><c>hit 200 #1 age=10 | HttpGen; hit; ttl=50</c>: answered from storage (status, body, Age, Cache-Status);</item>
/// <item><c>304 age=10 | ...</c> or <c>504 | ...</c>: the cache's own answer;</item>
/// <item><c>send</c> or <c>send If-None-Match: "v1"</c>: forwarded (with the conditional fields the cache added),
/// followed by <c>&gt;</c> and what was answered then: <c>origin 200 #0 | ...</c>, or <c>hit ...</c> when the stored
/// response was served after validation or on error, or a further <c>send</c> for a retry;</item>
/// <item><c>+bg If-None-Match: "v1" &gt; ...</c> after a hit served stale while revalidating.</item>
/// </list>
/// </summary>
public static class CacheScenario
{
    public static readonly DateTimeOffset T0 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static List<string> Run(HttpCache cache, ManualClock clock, IReadOnlyList<CacheStep> steps)
    {
        var outcomes = new List<string>();
        for (int i = 0; i < steps.Count; i++)
        {
            CacheStep step = steps[i];
            clock.Time = T0.AddSeconds(step.At);
            byte[] head = RequestHead(step.Request);
            Assert.True(CacheRequest.TryParse(head, "http"u8, out CacheRequest request));
            CacheResult result = cache.Lookup(request);
            var line = new StringBuilder();
            Describe(result, line);
            if (result.Action is CacheAction.Send or CacheAction.SendConditional || result.RevalidateInBackground)
            {
                if (result.RevalidateInBackground)
                {
                    line.Append(" +bg").Append(Conditional(result));
                }

                string[] answers = (step.Origin ?? throw new InvalidOperationException($"Step {i} went to the origin: {line}")).Split("\n||\n");
                CacheResult answer = Forward(cache, clock, request, result, answers[0], i, line);
                if (answer.Action == CacheAction.Send)
                {
                    answer = Forward(cache, clock, request, answer, answers[^1], i, line); // the unconditional retry
                }
            }

            outcomes.Add(line.ToString());
        }

        return outcomes;
    }

    private static CacheResult Forward(HttpCache cache, ManualClock clock, in CacheRequest request, CacheResult result, string origin, int index, StringBuilder line)
    {
        DateTimeOffset sent = clock.Time;
        CacheResult answer;
        if (origin == "fail")
        {
            line.Append(" > fail");
            answer = cache.HandleFailure(request, result);
        }
        else
        {
            (byte[] head, byte[] body, int delay) = ResponseHead(origin, index, sent);
            clock.Time = sent.AddSeconds(delay);
            line.Append(" > ").Append(Encoding.ASCII.GetString(head, 9, 3));
            answer = cache.HandleResponse(request, result, head, body, sent, clock.Time);
        }

        if (!result.RevalidateInBackground)
        {
            line.Append(" > ");
            if (answer.Action == CacheAction.ServeOriginResponse)
            {
                line.Append("origin | ").Append(answer.Status.ToString());
            }
            else
            {
                Describe(answer, line);
            }
        }

        return answer;
    }

    private static void Describe(CacheResult result, StringBuilder line)
    {
        switch (result.Action)
        {
            case CacheAction.ServeStored:
                line.Append(result.IsHead ? "hit-head " : "hit ").Append(result.Response!.StatusCode);
                if (!result.IsHead)
                {
                    line.Append(' ').Append(Encoding.ASCII.GetString(result.Body.Span));
                }

                line.Append(" age=").Append(result.AgeSeconds).Append(" | ").Append(result.Status.ToString());
                CheckWrittenHead(result);
                break;
            case CacheAction.ServeNotModified:
                line.Append("304 age=").Append(result.AgeSeconds).Append(" | ").Append(result.Status.ToString());
                CheckWrittenHead(result);
                break;
            case CacheAction.ServeGatewayTimeout:
                line.Append("504 | ").Append(result.Status.ToString());
                CheckWrittenHead(result);
                break;
            case CacheAction.Send or CacheAction.SendConditional:
                line.Append("send").Append(Conditional(result));
                if (result.Status.Forward != CacheForwardReason.None)
                {
                    line.Append(" (").Append(result.Status.ToString()).Append(')');
                }

                break;
            default:
                line.Append(result.Action);
                break;
        }
    }

    // The head the cache writes must carry the same Age and Cache-Status that the line shows.
    private static void CheckWrittenHead(CacheResult result)
    {
        var buffer = new byte[result.MaxHeadLength + 20];
        Assert.True(result.TryWriteHead(buffer, "X-Extra: 1\r\n"u8, out int written));
        string head = Encoding.Latin1.GetString(buffer, 0, written);
        Assert.EndsWith("\r\nX-Extra: 1\r\n\r\n", head);
        Assert.Contains("\r\nCache-Status: " + result.Status + "\r\n", head);
        if (result.Action != CacheAction.ServeGatewayTimeout)
        {
            Assert.Contains("\r\nAge: " + result.AgeSeconds + "\r\n", head);
            Assert.Single(Regex.Matches(head, "\r\nAge:"));
        }
    }

    private static string Conditional(CacheResult result)
    {
        var buffer = new byte[1024];
        Assert.True(result.TryWriteConditionalFields(buffer, out int written));
        string fields = Encoding.Latin1.GetString(buffer, 0, written).TrimEnd('\r', '\n').Replace("\r\n", "; ");
        return fields.Length == 0 ? "" : " " + fields;
    }

    private static byte[] RequestHead(string request)
    {
        string[] lines = request.Split('\n');
        var head = new StringBuilder(lines[0]).Append(" HTTP/1.1\r\n");
        if (!lines.Skip(1).Any(l => l.StartsWith("Host:", StringComparison.OrdinalIgnoreCase)))
        {
            head.Append("Host: example.com\r\n");
        }

        foreach (string l in lines.Skip(1))
        {
            head.Append(Dates(l)).Append("\r\n");
        }

        return Encoding.Latin1.GetBytes(head.Append("\r\n").ToString());
    }

    private static (byte[] Head, byte[] Body, int Delay) ResponseHead(string origin, int index, DateTimeOffset sent)
    {
        string[] lines = origin.Split('\n');
        string body = "#" + index.ToString(CultureInfo.InvariantCulture);
        int delay = 0;
        bool date = false;
        var head = new StringBuilder("HTTP/1.1 ").Append(lines[0]).Append(lines[0] == "200" ? " OK\r\n" : " Reason\r\n");
        foreach (string l in lines.Skip(1))
        {
            if (l.StartsWith("Body: ", StringComparison.Ordinal))
            {
                body = l[6..];
            }
            else if (l.StartsWith("Delay: ", StringComparison.Ordinal))
            {
                delay = int.Parse(l[7..], CultureInfo.InvariantCulture);
            }
            else
            {
                date |= l.StartsWith("Date:", StringComparison.OrdinalIgnoreCase);
                head.Append(Dates(l)).Append("\r\n");
            }
        }

        if (!date)
        {
            head.Append("Date: ").Append(HttpDateText(sent)).Append("\r\n");
        }

        int status = int.Parse(lines[0], CultureInfo.InvariantCulture);
        bool noBody = status is 304 or 204;
        head.Append("Content-Length: ").Append(noBody ? 0 : body.Length).Append("\r\n\r\n");
        return (Encoding.Latin1.GetBytes(head.ToString()), noBody ? [] : Encoding.Latin1.GetBytes(body), delay);
    }

    // "T+30" / "T-30" in a field value: the HTTP-date 30 seconds after / before T0.
    private static string Dates(string line) =>
        Regex.Replace(line, @"\bT([+-]\d+)\b", m => HttpDateText(T0.AddSeconds(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))));

    public static string HttpDateText(DateTimeOffset time)
    {
        var buffer = new byte[HttpDate.FormattedLength];
        HttpDate.TryFormat(time, buffer, out _);
        return Encoding.ASCII.GetString(buffer);
    }
}
