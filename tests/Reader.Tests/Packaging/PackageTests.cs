using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using Reader.Core;
using Reader.Core.Batch;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Packaging;

/// <summary>
/// The libraries as people add them: `./build.sh pack` makes the packages (the native shim linked statically into
/// WsiReader.Native's runtimes/linux-x64/native), a console app outside the repository adds them from that folder,
/// reads a region on the CPU and through WsiReader.Gpu on ILGPU's CPU accelerator, and its pixels must equal this
/// build's, decoded natively, with no loader noise; the wsi tool installs from its package and runs.
/// </summary>
public sealed class PackageTests
{
    private const string Fixture = "CMU-1-Small-Region.svs";
    private static readonly Lazy<string> Packages = new(Pack);

    [Fact]
    public void The_native_package_carries_a_shim_that_needs_only_libc()
    {
        string nupkg = Directory.GetFiles(Packages.Value, "WsiReader.Native.*.nupkg").Single(p => !p.EndsWith(".snupkg", StringComparison.Ordinal));
        using ZipArchive zip = ZipFile.OpenRead(nupkg);
        ZipArchiveEntry shim = zip.GetEntry("runtimes/linux-x64/native/libwsinative.so") ?? throw new InvalidOperationException("no shim in " + nupkg);
        string extracted = TestSlides.NewPath("libwsinative.so");
        shim.ExtractToFile(extracted);
        (int code, string output, _) = Run("ldd", null, extracted);
        Assert.Equal(0, code);
        Assert.DoesNotContain("libjpeg", output, StringComparison.Ordinal);
        Assert.DoesNotContain("libdeflate", output, StringComparison.Ordinal);
        Assert.DoesNotContain("libopenjp2", output, StringComparison.Ordinal);
        Assert.DoesNotContain("libwebp", output, StringComparison.Ordinal);
        foreach (string id in new[] { "WsiReader.Core", "WsiReader.Native", "WsiReader.Gpu", "WsiReader.Remote", "WsiReader.Tool" })
        {
            string package = Directory.GetFiles(Packages.Value, id + ".0*.nupkg").Single();
            using ZipArchive p = ZipFile.OpenRead(package);
            Assert.NotNull(p.GetEntry("README.md"));
            string nuspec = new StreamReader(p.GetEntry(id + ".nuspec")!.Open()).ReadToEnd();
            Assert.Contains("<license type=\"expression\">", nuspec, StringComparison.Ordinal);
            Assert.Contains("<repository", nuspec, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.ChangeExtension(package, ".snupkg")), "symbols for " + id);
        }
    }

    [Fact]
    public void A_console_app_outside_the_repository_reads_natively_with_the_packages()
    {
        string app = TestSlides.NewPath("consumer");
        Directory.CreateDirectory(app);
        Assert.False(Path.GetFullPath(app).StartsWith(FixtureFiles.RepositoryRoot, StringComparison.Ordinal), "the app must live outside the repository");
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="local-wsi" value="{Packages.Value}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "Consumer.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="WsiReader.Core" Version="0.1.0" />
                <PackageReference Include="WsiReader.Gpu" Version="0.1.0" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using System.Security.Cryptography;
            using Reader.Core;
            using Reader.Core.Batch;
            using Reader.Gpu;
            using Reader.Gpu.Accelerators;

            using var slide = Slide.Open(args[0]);
            byte[] cpu = slide.ReadRegion(100, 200, 0, 300, 240);
            Console.WriteLine($"backend {slide.Backend}");
            Console.WriteLine($"cpu {Convert.ToHexStringLower(SHA256.HashData(cpu))}");
            using var gpu = new GpuDecoder(new GpuReaderOptions { Accelerator = GpuAcceleratorKind.Cpu });
            foreach (DeviceBatch batch in gpu.ReadRegions(slide, [new PatchLocation(100, 200)], 300, 240))
            {
                using (batch)
                {
                    Console.WriteLine($"gpu {Convert.ToHexStringLower(SHA256.HashData(batch.ToArray()))}");
                }
            }
            """);
        (int code, string output, string error) = Run("dotnet", app, "run", "-c", "Release", "--", FixtureFiles.Real(Fixture));
        Assert.True(code == 0, output + error);

        using var slide = Slide.Open(FixtureFiles.Real(Fixture));
        string expected = Convert.ToHexStringLower(SHA256.HashData(slide.ReadRegion(100, 200, 0, 300, 240)));
        Assert.Contains("backend Native", output, StringComparison.Ordinal);
        Assert.Contains("cpu " + expected, output, StringComparison.Ordinal);
        Assert.Contains("gpu " + expected, output, StringComparison.Ordinal);
        Assert.DoesNotContain("wsinative", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_wsi_tool_installs_from_its_package()
    {
        string tools = TestSlides.NewPath("tools");
        (int code, string output, string error) = Run("dotnet", null, "tool", "install", "WsiReader.Tool", "--version", "0.1.0", "--tool-path", tools, "--add-source", Packages.Value);
        Assert.True(code == 0, output + error);
        (code, output, error) = Run(Path.Combine(tools, "wsi"), null, "info", FixtureFiles.Real(Fixture));
        Assert.True(code == 0, output + error);
        Assert.Contains("aperio", output, StringComparison.Ordinal);
        (code, output, _) = Run(Path.Combine(tools, "wsi"), null, "--version");
        Assert.Equal(0, code);
        Assert.StartsWith("0.1.0", output.Trim(), StringComparison.Ordinal);
    }

    private static string Pack()
    {
        Assert.SkipUnless(Reader.Native.NativeShim.IsAvailable, "packing needs the native build: " + Reader.Native.NativeShim.UnavailableReason);
        string output = TestSlides.NewPath("packages");
        (int code, string stdout, string stderr) = Run("bash", FixtureFiles.RepositoryRoot, "build.sh", "pack", output);
        if (code != 0)
        {
            throw new InvalidOperationException("./build.sh pack failed: " + stdout + stderr);
        }

        return output;
    }

    private static (int Code, string Output, string Error) Run(string program, string? folder, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = folder ?? Path.GetTempPath() };
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using Process p = Process.Start(start)!;
        Task<string> error = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish in 10 minutes");
        }

        return (p.ExitCode, output, error.Result);
    }
}
