using System.Diagnostics;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Codecs;

/// <summary>
/// The "opens without the library, refuses at read" rule: the shim is rebuilt here without OpenJPEG and libwebp
/// (CMake told their libraries are not found) and the wsi tool runs on it (WSI_NATIVE_LIBRARY): info works, and a
/// region read exits as unreadable with an UnsupportedFormatException message naming file, level and tile and saying
/// which library is missing. Skips loudly without cmake and a C compiler.
/// </summary>
public class WithoutCodecLibrariesTests
{
    private static readonly Lazy<string?> Shim = new(BuildShimWithoutCodecs);

    public static TheoryData<string, string> Fixtures => new()
    {
        { "tcga-cr-7395-01a-01-ts1.svs", "JPEG 2000 tiles need OpenJPEG: wsinative was built without OpenJPEG" },
        { "usda_naip_256_webp_z3.tif", "WebP tiles need libwebp: wsinative was built without libwebp" },
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void The_slide_opens_and_a_tile_read_says_which_library_is_missing(string name, string expected)
    {
        string path = FixtureFiles.Real(name);
        string? shim = Shim.Value;
        Assert.SkipWhen(shim is null, "cmake or a C compiler is missing: cannot build a shim without OpenJPEG and libwebp");
        var environment = new Dictionary<string, string> { ["WSI_NATIVE_LIBRARY"] = shim! };

        Programs.Result info = Programs.Run("wsi.dll", environment, "info", path);
        Assert.True(info.ExitCode == 0, info.Error);

        string raw = TestSlides.NewPath("region.raw");
        Programs.Result region = Programs.Run("wsi.dll", environment, "region", path, "--x", "0", "--y", "0", "--width", "64", "--height", "64", "--out", raw);
        Assert.Equal(3, region.ExitCode); // ExitCodes.Unreadable
        Assert.Contains($"{name}: level 0 (IFD 0) tile (0, 0): {expected}", region.Error, StringComparison.Ordinal);
    }

    private static string? BuildShimWithoutCodecs()
    {
        string source = Path.Combine(FixtureFiles.RepositoryRoot, "native");
        string build = Path.Combine(TestSlides.TempFolder, "shim-without-codecs");
        if (Run("cmake", "-S", source, "-B", build, "-DCMAKE_BUILD_TYPE=Release", "-DOPENJPEG_LIBRARY=OPENJPEG_LIBRARY-NOTFOUND", "-DWEBP_LIBRARY=WEBP_LIBRARY-NOTFOUND") != 0
            || Run("cmake", "--build", build) != 0)
        {
            return null;
        }

        string library = Path.Combine(build, OperatingSystem.IsWindows() ? "wsinative.dll" : OperatingSystem.IsMacOS() ? "libwsinative.dylib" : "libwsinative.so");
        return File.Exists(library) ? library : null;
    }

    private static int Run(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        try
        {
            using Process p = Process.Start(info)!;
            p.StandardOutput.ReadToEnd();
            p.StandardError.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1; // not installed
        }
    }
}
