using System.Globalization;
using Reader.Native;

namespace Reader.Bench.Sweep;

/// <summary>What the report's header states about the machine and the software.</summary>
internal static class MachineInfo
{
    public static string Cpu
    {
        get
        {
            try
            {
                string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
                return line is null ? "unknown CPU" : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
            }
            catch (IOException)
            {
                return "unknown CPU";
            }
        }
    }

    public static string Memory
    {
        get
        {
            try
            {
                string? line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal", StringComparison.Ordinal));
                if (line is null)
                {
                    return "unknown";
                }

                long kb = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                return string.Create(CultureInfo.InvariantCulture, $"{kb / 1048576.0:F1} GiB");
            }
            catch (IOException)
            {
                return "unknown";
            }
        }
    }

    public static string Versions => string.Create(
        CultureInfo.InvariantCulture,
        $".NET {Environment.Version}; libjpeg-turbo {NativeShim.LibjpegTurboVersionText}; libdeflate {(NativeShim.HasLibdeflate ? "yes" : "no")}; reader {typeof(Reader.Core.Slide).Assembly.GetName().Version}");

    /// <summary>Drops the page cache (root only); returns what happened.</summary>
    public static string DropCaches()
    {
        try
        {
            using (var sync = System.Diagnostics.Process.Start("sync"))
            {
                sync?.WaitForExit();
            }

            File.WriteAllText("/proc/sys/vm/drop_caches", "3");
            return "dropped";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            return "could not drop (" + e.Message.Trim() + ")";
        }
    }
}
