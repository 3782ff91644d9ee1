using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;
using Xunit;
using Xunit.Abstractions;

namespace HttpGen.Tests.Packaging;

/// <summary>
/// The package as a user gets it: `dotnet pack` into a temporary feed, its layout, then a fresh console project outside
/// the repository that references `HttpGen` from that feed, builds with warnings as errors and with the trim and AOT
/// analyzers on, and runs a parse with the parser the packaged generator wrote.
/// </summary>
[Collection(PackagingCollection.Name)]
public class PackageTests(ITestOutputHelper output)
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Package_installs_into_a_fresh_project_and_its_generator_runs()
    {
        string root = DotnetCli.RepositoryRoot();
        string version = VersionFromDirectoryBuildProps(root);
        string temp = DotnetCli.NewTempFolder("package");
        string feed = Path.Combine(temp, "feed");
        var clock = Stopwatch.StartNew();

        // Pack. Build output goes to the temporary folder too, so the repository's bin/ and obj/ stay untouched.
        var (code, log) = await DotnetCli.RunAsync(root,
            new[] { "pack", Path.Combine(root, "HttpGen.Runtime", "HttpGen.Runtime.csproj"), "-c", "Release", "-o", feed, "--artifacts-path", Path.Combine(temp, "artifacts") },
            StepTimeout);
        Assert.True(code == 0, "dotnet pack failed:\n" + log);
        Assert.DoesNotContain(": warning ", log);
        output.WriteLine($"pack: {clock.Elapsed.TotalSeconds:F1}s");

        // One package (plus its symbols package), with the version from Directory.Build.props.
        Assert.Equal(
            new[] { $"HttpGen.{version}.nupkg", $"HttpGen.{version}.snupkg" },
            Directory.GetFiles(feed).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray());
        AssertPackageLayout(Path.Combine(feed, $"HttpGen.{version}.nupkg"), version);
        AssertSymbolsLayout(Path.Combine(feed, $"HttpGen.{version}.snupkg"));

        // A fresh consumer outside the repository, restoring into a private package folder so that no cached HttpGen of
        // the same version can stand in for the one just packed.
        string consumer = Path.Combine(temp, "consumer");
        string packages = Path.Combine(temp, "packages");
        Directory.CreateDirectory(consumer);
        File.WriteAllText(Path.Combine(consumer, "NuGet.config"), NuGetConfig(feed));
        File.WriteAllText(Path.Combine(consumer, "Consumer.csproj"), ConsumerProject(version));
        File.WriteAllText(Path.Combine(consumer, "Program.cs"), ConsumerProgram);
        var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = packages };

        clock.Restart();
        (code, log) = await DotnetCli.RunAsync(consumer, new[] { "build", "-c", "Release" }, StepTimeout, environment);
        Assert.True(code == 0, "the consumer did not build:\n" + log);
        Assert.Contains(" 0 Warning(s)", log);
        output.WriteLine($"consumer restore + build: {clock.Elapsed.TotalSeconds:F1}s");

        // The generator that ran is the one from the package, and it wrote the parser.
        Assert.True(File.Exists(Path.Combine(packages, "httpgen", version, "analyzers", "dotnet", "cs", "HttpGen.Generators.dll")));
        string generated = Path.Combine(consumer, "obj", "Release", "net10.0", "generated", "HttpGen.Generators", "HttpGen.Generators.HttpGenGenerator");
        Assert.True(Directory.Exists(generated) && Directory.GetFiles(generated, "OrderRequest*.g.cs").Length > 0,
            "no generated source for OrderRequest under " + generated);
        // The build above ran with the trim, AOT and single-file analyzers on, over the generated code too.
        string editorConfig = File.ReadAllText(Path.Combine(consumer, "obj", "Release", "net10.0", "Consumer.GeneratedMSBuildEditorConfig.editorconfig"));
        Assert.Contains("build_property.EnableTrimAnalyzer = true", editorConfig);
        Assert.Contains("build_property.EnableAotAnalyzer = true", editorConfig);
        Assert.Contains("build_property.EnableSingleFileAnalyzer = true", editorConfig);

        clock.Restart();
        (code, log) = await DotnetCli.RunAsync(consumer, new[] { Path.Combine(consumer, "bin", "Release", "net10.0", "Consumer.dll") }, TimeSpan.FromMinutes(1));
        Assert.True(code == 0, "the consumer failed:\n" + log);
        Assert.Equal(
            new[]
            {
                "status=Done consumed=98",
                "method=Post path=/orders/7 query=expand=items",
                "host=shop.example content-length=12 request-id=42",
                "bad: status=InvalidData code=400",
            },
            log.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        output.WriteLine($"consumer run: {clock.Elapsed.TotalSeconds:F1}s");

        // The analyzers are live in this consumer: the same build with a trim- and AOT-unsafe line fails on it.
        clock.Restart();
        (code, log) = await DotnetCli.RunAsync(consumer, new[] { "build", "-c", "Release", "-p:DefineConstants=TRIM_CANARY" }, StepTimeout, environment);
        Assert.True(code != 0, "the canary built, so the trim and AOT analyzers are not running:\n" + log);
        Assert.Contains("error IL2057", log);
        Assert.Contains("error IL3050", log);
        output.WriteLine($"canary build: {clock.Elapsed.TotalSeconds:F1}s");

        DotnetCli.DeleteQuietly(temp);
    }

    private static void AssertPackageLayout(string nupkg, string version)
    {
        using ZipArchive zip = ZipFile.OpenRead(nupkg);
        string[] entries = zip.Entries.Select(e => e.FullName).ToArray();
        string[] expected =
        {
            "lib/net10.0/HttpGen.Runtime.dll",
            "lib/net10.0/HttpGen.Runtime.xml",
            "analyzers/dotnet/cs/HttpGen.Generators.dll",
            "README.md",
            "HttpGen.nuspec",
        };
        foreach (string entry in expected)
        {
            Assert.True(entries.Contains(entry), $"{entry} is missing from the package: {string.Join(", ", entries)}");
        }

        // The generator is a compiler plug-in only: never a library the consumer references, nor its Roslyn dependencies.
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) && e.Contains("Generators", StringComparison.Ordinal));
        Assert.DoesNotContain(entries, e => e.Contains("Microsoft.CodeAnalysis", StringComparison.Ordinal));
        Assert.Equal(new[] { "analyzers/dotnet/cs/HttpGen.Generators.dll" }, entries.Where(e => e.StartsWith("analyzers/", StringComparison.Ordinal)).ToArray());
        Assert.Equal(new[] { "lib/net10.0/HttpGen.Runtime.dll", "lib/net10.0/HttpGen.Runtime.xml" },
            entries.Where(e => e.StartsWith("lib/", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray());

        XDocument nuspec;
        using (Stream stream = zip.GetEntry("HttpGen.nuspec")!.Open())
        {
            nuspec = XDocument.Load(stream);
        }

        XElement metadata = nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string? Get(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;
        Assert.Equal("HttpGen", Get("id"));
        Assert.Equal(version, Get("version"));
        XElement license = metadata.Elements().Single(e => e.Name.LocalName == "license");
        Assert.Equal("expression", license.Attribute("type")?.Value);
        Assert.Equal("MIT", license.Value);
        Assert.Equal("README.md", Get("readme"));
        XElement repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
        Assert.Equal("https://github.com/httpgen/httpgen", repository.Attribute("url")?.Value);
        Assert.False(string.IsNullOrWhiteSpace(Get("description")));
        // The generator project is not a package dependency; the package depends on nothing.
        Assert.DoesNotContain(metadata.Descendants(), e => e.Name.LocalName == "dependency");

        using var reader = new StreamReader(zip.GetEntry("README.md")!.Open());
        string readme = reader.ReadToEnd();
        Assert.Contains("<PackageReference Include=\"HttpGen\"", readme);
        Assert.Contains("[HttpRequest]", readme);
    }

    private static void AssertSymbolsLayout(string snupkg)
    {
        using ZipArchive zip = ZipFile.OpenRead(snupkg);
        Assert.Contains(zip.Entries, e => e.FullName == "lib/net10.0/HttpGen.Runtime.pdb");
    }

    private static string VersionFromDirectoryBuildProps(string root)
    {
        XDocument props = XDocument.Load(Path.Combine(root, "Directory.Build.props"));
        string[] versions = props.Descendants("Version").Select(e => e.Value.Trim()).ToArray();
        Assert.Single(versions);
        return versions[0];
    }

    // The temporary feed for HttpGen and the default registry for everything else (the trim analyzer's package).
    // Source mapping makes sure HttpGen comes from the feed and nowhere else.
    private static string NuGetConfig(string feed) => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <packageSources>
            <clear />
            <add key="httpgen-under-test" value="{feed}" />
            <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
          </packageSources>
          <packageSourceMapping>
            <packageSource key="httpgen-under-test">
              <package pattern="HttpGen" />
            </packageSource>
            <packageSource key="nuget.org">
              <package pattern="*" />
            </packageSource>
          </packageSourceMapping>
        </configuration>
        """;

    private static string ConsumerProject(string version) => $"""
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <ImplicitUsings>enable</ImplicitUsings>
            <Nullable>enable</Nullable>
            <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
            <WarningsAsErrors>$(WarningsAsErrors);CS9057;CS8784;CS8785</WarningsAsErrors>
            <!-- The analyzers the runtime is built with: trim, AOT and single-file; and HttpGen.Runtime must say it is trimmable and AOT-compatible. -->
            <IsAotCompatible>true</IsAotCompatible>
            <VerifyReferenceTrimCompatibility>true</VerifyReferenceTrimCompatibility>
            <VerifyReferenceAotCompatibility>true</VerifyReferenceAotCompatibility>
            <EmitCompilerGeneratedFiles>true</EmitCompilerGeneratedFiles>
          </PropertyGroup>
          <ItemGroup>
            <PackageReference Include="HttpGen" Version="[{version}]" />
          </ItemGroup>
        </Project>
        """;

    private const string ConsumerProgram = """
        using System.Buffers;
        using System.Text;
        using HttpGen;

        var request = new OrderRequest();
        byte[] bytes = Encoding.ASCII.GetBytes("POST /orders/7?expand=items HTTP/1.1\r\nHost: shop.example\r\nContent-Length: 12\r\nX-Request-Id: 42\r\n\r\n");
        OperationStatus status = request.TryParse(bytes, out int consumed);
        Console.WriteLine($"status={status} consumed={consumed}");
        Console.WriteLine($"method={request.Method} path={Encoding.ASCII.GetString(request.Path)} query={Encoding.ASCII.GetString(request.Query)}");
        Console.WriteLine($"host={Encoding.ASCII.GetString(request.Host)} content-length={request.ContentLength} request-id={request.RequestId}");
        request.Reset();
        status = request.TryParse(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost : x\r\n\r\n"), out _);
        Console.WriteLine($"bad: status={status} code={request.Error.StatusCode}");

        [HttpRequest]
        public partial class OrderRequest
        {
            [HttpHeader("Host")] public partial ReadOnlySpan<byte> Host { get; }
            [HttpHeader("Content-Length")] public partial long? ContentLength { get; }
            [HttpHeader("X-Request-Id")] public partial HeaderValue RequestId { get; }
        }

        #if TRIM_CANARY
        static class Canary
        {
            public static object Probe(string name) => typeof(List<>).MakeGenericType(Type.GetType(name)!);
        }
        #endif
        """;
}
