using System.Net;
using HttpGen.Tests.Client;
using Xunit;
using Xunit.Abstractions;

namespace HttpGen.Tests.Proxy;

/// <summary>
/// Bodies stream through the proxy both ways in bounded memory, whatever their size; a body is stored as it streams
/// only up to the cache's entry size; stale-while-revalidate validates once in the background. Runs alone: it
/// measures the managed heap of the whole process (origin, proxy and client are all in it).
/// </summary>
[Collection(nameof(ClientAllocationCollection))]
public sealed class ProxyStreamingTests(ITestOutputHelper output) : ProxyTestBase
{
    private const long Large = 256L * 1024 * 1024;

    [Theory]
    [InlineData("")]         // Content-Length: 256 MiB, known too large to store
    [InlineData("&chunked")] // chunked: captured up to the entry size, then given up
    public async Task A_large_download_streams_through_in_bounded_memory(string framing)
    {
        string target = $"/big?max-age=60&size={Large}{framing}";
        long peak = await MeasurePeakHeapAsync(async () =>
        {
            using HttpResponseMessage response = await Http.GetAsync(Url(target), HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await using Stream body = await response.Content.ReadAsStreamAsync();
            Assert.Equal(Large, await CountAsync(body));
            Assert.Contains(framing.Length == 0 ? "detail=too-large" : "stored", string.Join(",", response.Headers.GetValues("Cache-Status")));
        });

        output.WriteLine($"{Large >> 20} MiB{framing}: managed heap peak {peak >> 20} MiB above the start");
        Assert.True(peak < 48L * 1024 * 1024, $"the heap grew by {peak >> 20} MiB while {Large >> 20} MiB went through");
        Assert.Equal(0, Proxy.Cache.Store.Count); // too large to store
        Assert.DoesNotContain("hit", (await GetAsync(target.Replace("size=" + Large, "size=10"))).CacheStatus);
    }

    [Fact]
    public async Task A_large_upload_streams_to_the_origin_in_bounded_memory()
    {
        const long size = 64L * 1024 * 1024;
        string answer = "";
        long peak = await MeasurePeakHeapAsync(async () =>
        {
            using var content = new StreamContent(new PatternStream(size));
            content.Headers.ContentLength = size;
            using HttpResponseMessage response = await Http.PostAsync(Url("/upload"), content);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            answer = await response.Content.ReadAsStringAsync();
        });

        output.WriteLine($"{size >> 20} MiB up: managed heap peak {peak >> 20} MiB above the start");
        Assert.Equal("received " + size, answer);
        Assert.True(peak < 48L * 1024 * 1024, $"the heap grew by {peak >> 20} MiB");
    }

    [Fact]
    public async Task A_chunked_upload_is_forwarded_chunked_and_echoed_whole()
    {
        using var content = new StreamContent(new PatternStream(300_000)); // no length: HttpClient sends it chunked
        using HttpResponseMessage response = await Http.PostAsync(Url("/echo"), content);
        byte[] echoed = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(300_000, echoed.Length);
        Assert.Equal((byte)'a', echoed[0]);
        Assert.Equal((byte)('a' + (299_999 % 26)), echoed[^1]);
    }

    [Fact]
    public async Task Stale_while_revalidate_serves_stale_and_revalidates_once_in_the_background()
    {
        // Freshness is in whole seconds from a Date without fractions: max-age=2 keeps the validated response fresh for
        // at least a second, and 3.1 s after the first answer it is stale.
        const string target = "/swr?max-age=2&swr=60&etag=s1&delay=300";
        await GetAsync(target);
        await Task.Delay(3100);
        var stale = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => GetAsync(target)));
        foreach (Reply reply in stale)
        {
            Assert.Equal("origin:" + target + "#1", reply.Body);
            Assert.Contains("detail=stale-while-revalidate", reply.CacheStatus);
        }

        for (int i = 0; i < 500 && (Proxy.Cache.BackgroundRevalidations > 0 || Origin.Hits(target) < 2); i++)
        {
            await Task.Delay(10);
        }

        Assert.Equal(2, Origin.Hits(target)); // one validation for the five stale hits
        Reply fresh = await GetAsync(target);
        Assert.StartsWith("test-proxy; hit; ttl=", fresh.CacheStatus); // fresh again after the 304
        Assert.DoesNotContain("detail", fresh.CacheStatus);
    }

    private static async Task<long> CountAsync(Stream body)
    {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = await body.ReadAsync(buffer)) > 0)
        {
            total += n;
        }

        return total;
    }

    // The highest managed heap size seen (every 20 ms) while the work runs, above what it was before.
    private static async Task<long> MeasurePeakHeapAsync(Func<Task> work)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long start = GC.GetTotalMemory(forceFullCollection: true);
        long peak = start;
        using var done = new CancellationTokenSource();
        Task sampler = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(false));
                await Task.Delay(20);
            }
        });
        try
        {
            await work();
        }
        finally
        {
            done.Cancel();
            await sampler;
        }

        return peak - start;
    }

    /// <summary>A read-only stream of the alphabet repeated, generated as it is read.</summary>
    private sealed class PatternStream(long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = (int)Math.Min(buffer.Length, length - _position);
            for (int i = 0; i < n; i++)
            {
                buffer[i] = (byte)('a' + ((_position + i) % 26));
            }

            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
