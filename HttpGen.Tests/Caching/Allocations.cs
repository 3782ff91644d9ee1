using Xunit;

namespace HttpGen.Tests.Caching;

/// <summary>Asserts that code allocates nothing on the calling thread once warmed up.</summary>
public static class Allocations
{
    /// <summary>Runs <paramref name="run"/> 100 times to warm up, then <paramref name="iterations"/> times, and asserts 0 bytes allocated.</summary>
    /// <param name="run">The code, given how many times to loop; it returns a value that depends on the work, so it is not optimized away.</param>
    /// <param name="iterations">How many times to loop while measuring.</param>
    public static void AssertNone(Func<int, long> run, int iterations = 10_000)
    {
        long sum = run(100);
        long before = GC.GetAllocatedBytesForCurrentThread();
        sum += run(iterations);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.NotEqual(0, sum);
    }
}
