using System.Diagnostics.Metrics;
using System.Runtime.InteropServices;
using System.Text;
using HttpGen.Caching;
using HttpGen.Client;
using HttpGen.Diagnostics;
using Xunit;

namespace HttpGen.Tests.Client;

/// <summary>
/// How the client stores a response: as the caller reads its body, only when the caller reads it to its end, up to
/// the entry size; what a hit hands back (the stored bytes themselves), and the cache metrics.
/// </summary>
public sealed class ClientCacheStoreTests() : ClientCacheTestBase(new HttpCacheOptions { MaxEntrySize = 64 * 1024 })
{
    [Theory]
    [InlineData("/cl?size=20000")]
    [InlineData("/chunked?size=20000&chunk=1000")]
    public async Task A_body_read_to_its_end_is_stored_as_it_streams(string target)
    {
        Server.Respond = head => Task.FromResult(Cacheable(head));
        byte[] expected = RawHttpServer.Body(20000);
        await using (HttpGenResponse<ClientTestResponse> response = await Client.SendAsync(Origin, Request(target)))
        {
            byte[] buffer = new byte[777];
            var read = new MemoryStream();
            int n;
            while ((n = await response.ReadAsync(buffer)) > 0)
            {
                read.Write(buffer, 0, n);
            }

            Assert.Equal(expected, read.ToArray());
            Assert.Equal(1, Cache.Store.Count); // stored at the end of the body, before disposal
        }

        await using HttpGenResponse<ClientTestResponse> hit = await Client.SendAsync(Origin, Request(target));
        Assert.True(hit.IsFromCache);
        Assert.Equal(expected, (await hit.ReadAllAsync()).ToArray());
        AssertOriginRequests(1);
    }

    [Theory]
    [InlineData("/cl?size=200000", false)] // longer than the drain on disposal: the connection closes
    [InlineData("/cl?size=20000", true)]   // drained on disposal so that the connection is reused
    [InlineData("/chunked?size=20000&chunk=1000", true)]
    public async Task A_caller_who_stops_reading_early_leaves_nothing_stored(string target, bool drained)
    {
        Server.Respond = head => Task.FromResult(Cacheable(head));
        await using (HttpGenResponse<ClientTestResponse> response = await Client.SendAsync(Origin, Request(target)))
        {
            Assert.True(await response.ReadAsync(new byte[100]) > 0);
        }

        Assert.Equal(0, Cache.Store.Count);
        Assert.Equal(drained ? 1 : 0, Client.GetIdleConnectionCount(Origin));
        await using HttpGenResponse<ClientTestResponse> again = await Client.SendAsync(Origin, Request(target));
        Assert.False(again.IsFromCache);
        AssertOriginRequests(2);
    }

    [Theory]
    [InlineData("/cl?size=100000")]      // known too large from its Content-Length
    [InlineData("/chunked?size=100000")] // found too large as it streams
    public async Task A_body_over_the_entry_size_goes_through_unstored(string target)
    {
        Server.Respond = head => Task.FromResult(Cacheable(head));
        await using (HttpGenResponse<ClientTestResponse> response = await Client.SendAsync(Origin, Request(target)))
        {
            Assert.Equal(100_000, (await response.ReadAllAsync()).Length);
        }

        Assert.Equal(0, Cache.Store.Count);
    }

    [Fact]
    public async Task A_hit_hands_out_the_stored_bytes_without_copying_them()
    {
        Script(_ => Ok("Cache-Control: max-age=60\r\n" + DateT0, "stored body"));
        await SendAsync("/z");
        ReadOnlyMemory<byte> first, second;
        await using (HttpGenResponse<ClientTestResponse> hit = await Client.SendAsync(Origin, Request("/z")))
        {
            first = await hit.ReadAllAsync();
        }

        await using (HttpGenResponse<ClientTestResponse> hit = await Client.SendAsync(Origin, Request("/z")))
        {
            second = await hit.ReadAllAsync();
            Assert.Throws<InvalidOperationException>(() => hit.TakeOverConnection());
        }

        Assert.True(MemoryMarshal.TryGetArray(first, out ArraySegment<byte> a));
        Assert.True(MemoryMarshal.TryGetArray(second, out ArraySegment<byte> b));
        Assert.Same(a.Array, b.Array);
        Assert.Equal("stored body", Encoding.ASCII.GetString(second.Span));
    }

    [Fact]
    public async Task A_response_from_the_cache_cannot_be_used_after_disposal()
    {
        Script(_ => Ok("Cache-Control: max-age=60\r\n" + DateT0, "x"));
        await SendAsync("/d");
        HttpGenResponse<ClientTestResponse> hit = await Client.SendAsync(Origin, Request("/d"));
        Assert.True(hit.IsFromCache);
        await hit.DisposeAsync();
        Assert.Throws<ObjectDisposedException>(() => hit.StatusCode);
        await hit.DisposeAsync(); // again: nothing
    }

    [Fact]
    public async Task The_cache_metrics_count_hits_misses_revalidations_and_bytes_held()
    {
        var counts = new Dictionary<string, long>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == ClientMetrics.MeterName && instrument.Name.StartsWith("httpgen.client.cache.", StringComparison.Ordinal))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            // Only this test's origin (other tests may run at the same time); the size is not per origin.
            bool mine = instrument.Name == "httpgen.client.cache.size";
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                mine |= tag.Key == "server.port" && tag.Value is int port && port == Server.Port;
            }

            if (mine)
            {
                lock (counts)
                {
                    counts[instrument.Name] = instrument.Name.EndsWith(".size", StringComparison.Ordinal) ? value : counts.GetValueOrDefault(instrument.Name) + value;
                }
            }
        });
        listener.Start();

        Script(head => head.Contains("If-None-Match", StringComparison.Ordinal)
            ? Empty("304 Not Modified", "ETag: \"m\"\r\nCache-Control: max-age=60\r\n" + DateNow)
            : Ok("ETag: \"m\"\r\nCache-Control: max-age=60\r\n" + DateT0, "metrics"));
        await SendAsync("/m");  // miss
        await SendAsync("/m");  // hit
        At(100);
        await SendAsync("/m");  // revalidation
        await SendAsync("/m");  // hit
        listener.RecordObservableInstruments();

        Assert.Equal(2, counts["httpgen.client.cache.hits"]);
        Assert.Equal(1, counts["httpgen.client.cache.misses"]);
        Assert.Equal(1, counts["httpgen.client.cache.revalidations"]);
        Assert.True(counts["httpgen.client.cache.size"] >= Cache.Store.Size, $"size {counts["httpgen.client.cache.size"]} < {Cache.Store.Size}");
        Assert.True(Cache.Store.Size > 0);
    }

    // The raw server's /cl and /chunked bodies, made cacheable.
    private static string? Cacheable(string head)
    {
        string target = head.Split(' ')[1];
        int q = target.IndexOf('?');
        var query = target[(q + 1)..].Split('&').Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);
        byte[] body = RawHttpServer.Body(int.Parse(query["size"], System.Globalization.CultureInfo.InvariantCulture));
        string text = Encoding.Latin1.GetString(body);
        if (!target.StartsWith("/chunked", StringComparison.Ordinal))
        {
            return Ok("Cache-Control: max-age=60\r\n" + DateT0, text);
        }

        int chunk = query.TryGetValue("chunk", out string? c) ? int.Parse(c, System.Globalization.CultureInfo.InvariantCulture) : 4096;
        var chunked = new StringBuilder($"HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\n{DateT0}Transfer-Encoding: chunked\r\n\r\n");
        for (int i = 0; i < text.Length; i += chunk)
        {
            string part = text.Substring(i, Math.Min(chunk, text.Length - i));
            chunked.Append(part.Length.ToString("x", System.Globalization.CultureInfo.InvariantCulture)).Append("\r\n").Append(part).Append("\r\n");
        }

        return chunked.Append("0\r\n\r\n").ToString();
    }
}
