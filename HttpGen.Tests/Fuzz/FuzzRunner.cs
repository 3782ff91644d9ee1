using System.Diagnostics;
using System.Globalization;
using System.Runtime.ExceptionServices;
using FsCheck;
using FsCheck.Fluent;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace HttpGen.Tests.Fuzz;

/// <summary>The fuzz tests run one after another, so that each one's time budget is its own CPU time on a busy machine.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FuzzCollection
{
    public const string Name = "Fuzz";
}

/// <summary>
/// Runs an FsCheck property for a wall-clock budget instead of a fixed count: batches of generated inputs until the
/// budget is spent, each batch with a fresh random seed (printed by FsCheck with a failure, with the shrunk input).
/// </summary>
/// <remarks>
/// The budget of the whole fuzz suite is 30 s by default (<c>dotnet test</c>, CI); set
/// <c>HTTPGEN_FUZZ_SECONDS</c> for a long run, for example <c>HTTPGEN_FUZZ_SECONDS=3600</c> for an hour. Each test
/// takes its share of it. A watchdog fails the test when one input runs longer than <see cref="HangLimit"/> (a hang),
/// naming the input. Set <c>HTTPGEN_FUZZ_REPORT</c> to a file to append one line of figures per test.
/// </remarks>
internal static class FuzzRunner
{
    public const string SecondsVariable = "HTTPGEN_FUZZ_SECONDS";
    public const string ReportVariable = "HTTPGEN_FUZZ_REPORT";
    public const double DefaultSeconds = 30;

    /// <summary>Longest time one input may take, shrinking aside: generous, the CI machine is shared and slow.</summary>
    public static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(20);

    private const int BatchSize = 100;

    /// <summary>The budget of the whole fuzz suite.</summary>
    public static double TotalSeconds =>
        double.TryParse(Environment.GetEnvironmentVariable(SecondsVariable), NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds > 0
            ? seconds
            : DefaultSeconds;

    /// <summary>
    /// Checks <paramref name="property"/> (which throws on a counterexample) on inputs from <paramref name="inputs"/>
    /// for <paramref name="share"/> of the suite's budget, and reports how many inputs ran.
    /// </summary>
    /// <returns>The number of inputs checked.</returns>
    public static long Run<T>(ITestOutputHelper output, string name, double share, Arbitrary<T> inputs, Action<T> property)
        where T : notnull
    {
        TimeSpan budget = TimeSpan.FromSeconds(TotalSeconds * share);
        var watchdog = new Watchdog();
        long checkedInputs = 0;
        ExceptionDispatchInfo? failure = null;
        var clock = Stopwatch.StartNew();

        Property prop = Prop.ForAll(inputs, (T input) =>
        {
            watchdog.Begin(input);
            try
            {
                property(input);
            }
            finally
            {
                watchdog.End();
            }

            Interlocked.Increment(ref checkedInputs);
        });

        // A thread of its own, so that a hang is reported instead of blocking the test run; a deep stack for safety.
        var worker = new Thread(() =>
        {
            try
            {
                Config config = Config.QuickThrowOnFailure.WithMaxTest(BatchSize).WithQuietOnSuccess(true).WithEndSize(200);
                while (clock.Elapsed < budget)
                {
                    Check.One(config, prop);
                }
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        }, 16 * 1024 * 1024) { IsBackground = true, Name = "fuzz " + name };
        worker.Start();
        while (!worker.Join(250))
        {
            if (watchdog.Stuck(out object? input))
            {
                throw new XunitException($"{name}: one input has run for more than {HangLimit.TotalSeconds} s (a hang?): {input}");
            }
        }

        failure?.Throw();
        double seconds = clock.Elapsed.TotalSeconds;
        long count = Interlocked.Read(ref checkedInputs);
        string line = string.Create(CultureInfo.InvariantCulture, $"{name}: {count} inputs in {seconds:F1} s, {count / seconds:F0} inputs/s");
        output.WriteLine(line);
        string? report = Environment.GetEnvironmentVariable(ReportVariable);
        if (!string.IsNullOrEmpty(report))
        {
            File.AppendAllText(report, line + Environment.NewLine);
        }

        Assert.True(count >= BatchSize, $"{name}: only {count} inputs ran");
        return count;
    }

    // Which input is running and since when; read by the test thread while the worker runs.
    private sealed class Watchdog
    {
        private readonly object _gate = new();
        private object? _input;
        private long _started;

        public void Begin(object? input)
        {
            lock (_gate)
            {
                _input = input;
                _started = Stopwatch.GetTimestamp();
            }
        }

        public void End()
        {
            lock (_gate)
            {
                _input = null;
            }
        }

        public bool Stuck(out object? input)
        {
            lock (_gate)
            {
                input = _input;
                return input is not null && Stopwatch.GetElapsedTime(_started) > HangLimit;
            }
        }
    }
}
