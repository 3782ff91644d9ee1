using System.Runtime.CompilerServices;
using Xunit.Sdk;

namespace HttpGen.Tests.Generator;

/// <summary>
/// A small snapshot helper in the spirit of Verify: <c>{name}.verified.txt</c> is committed beside the test; on a
/// mismatch the actual text is written to <c>{name}.received.txt</c> (git-ignored) and the test fails. Set
/// <c>HTTPGEN_ACCEPT_SNAPSHOTS=1</c> to accept the received text as the new verified text. A missing snapshot always
/// fails, and under <c>CI=true</c> it is not even written, so CI never passes on a snapshot nobody reviewed.
/// </summary>
internal static class Snapshot
{
    public static void Verify(string name, string actual, [CallerFilePath] string callerFile = "")
    {
        string directory = Path.Combine(Path.GetDirectoryName(callerFile)!, "Snapshots");
        string verifiedPath = Path.Combine(directory, name + ".verified.txt");
        string receivedPath = Path.Combine(directory, name + ".received.txt");
        actual = Normalize(actual);
        bool accept = Environment.GetEnvironmentVariable("HTTPGEN_ACCEPT_SNAPSHOTS") == "1";
        bool ci = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

        if (File.Exists(verifiedPath) && Normalize(File.ReadAllText(verifiedPath)) == actual)
        {
            File.Delete(receivedPath);
            return;
        }

        if (accept && !ci)
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(verifiedPath, actual);
            File.Delete(receivedPath);
            return;
        }

        if (!ci)
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(receivedPath, actual);
        }

        string reason = File.Exists(verifiedPath) ? "does not match" : "is missing";
        throw new XunitException(
            $"Snapshot '{name}' {reason}: {verifiedPath}. Review {receivedPath} and rerun with HTTPGEN_ACCEPT_SNAPSHOTS=1 to accept it.");
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n").TrimStart('\uFEFF');
}
