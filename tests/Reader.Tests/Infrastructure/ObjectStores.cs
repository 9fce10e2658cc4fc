using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Reader.Bench.Sweep;

namespace Reader.Tests.Infrastructure;

/// <summary>
/// Real object stores for the remote-source tests: s3rver (S3) and Azurite (Azure Blob), installed once from the
/// npm registry into a cache folder and started on free loopback ports. Every test that needs one skips with the
/// reason when Node.js or npm is missing or the install fails; nothing is mocked.
/// </summary>
internal sealed class ObjectStores : IAsyncDisposable
{
    public const string S3Key = "S3RVER";
    public const string S3Secret = "S3RVER";

    /// <summary>Azurite's published development account and key (documented by Microsoft for the emulator).</summary>
    public const string AzuriteAccount = "devstoreaccount1";
    private const string AzuriteKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly Lazy<(string? Folder, string? Problem)> Installed = new(Install);

    private readonly List<Process> processes = [];

    /// <summary>Why the stores cannot run here, or null.</summary>
    public static string? Unavailable => Installed.Value.Problem;

    public Uri? S3Endpoint { get; private set; }

    public string? AzureConnectionString { get; private set; }

    public static async Task<ObjectStores> StartAsync()
    {
        var stores = new ObjectStores();
        string folder = Installed.Value.Folder ?? throw new InvalidOperationException(Unavailable);
        string data = TestSlides.NewPath("stores");
        Directory.CreateDirectory(Path.Combine(data, "s3"));
        Directory.CreateDirectory(Path.Combine(data, "azure"));

        int s3Port = FreePort();
        stores.Start(folder, Path.Combine("node_modules", "s3rver", "bin", "s3rver.js"), "-d", Path.Combine(data, "s3"), "-a", "127.0.0.1", "-p", s3Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--silent");
        int blobPort = FreePort();
        stores.Start(folder, Path.Combine("node_modules", "azurite", "dist", "src", "blob", "main.js"), "--blobHost", "127.0.0.1", "--blobPort", blobPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--location", Path.Combine(data, "azure"), "--silent", "--skipApiVersionCheck", "--loose", "--disableTelemetry");
        await WaitForPort(s3Port, "s3rver");
        await WaitForPort(blobPort, "Azurite");
        stores.S3Endpoint = new Uri($"http://127.0.0.1:{s3Port}");
        stores.AzureConnectionString = $"DefaultEndpointsProtocol=http;AccountName={AzuriteAccount};AccountKey={AzuriteKey};BlobEndpoint=http://127.0.0.1:{blobPort}/{AzuriteAccount};";
        return stores;
    }

    public ValueTask DisposeAsync()
    {
        foreach (Process p in processes)
        {
            try
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
            }

            p.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private static (string? Folder, string? Problem) Install()
    {
        if (ExternalTools.Which("node") is null || ExternalTools.Which("npm") is null)
        {
            return (null, "Node.js and npm are not installed (./build.sh setup installs them): s3rver and Azurite cannot run");
        }

        string folder = Path.Combine(
            Environment.GetEnvironmentVariable("XDG_CACHE_HOME") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"),
            "wsi-reader", "object-stores-v1");
        if (File.Exists(Path.Combine(folder, "node_modules", "s3rver", "bin", "s3rver.js")) && File.Exists(Path.Combine(folder, "node_modules", "azurite", "dist", "src", "blob", "main.js")))
        {
            return (folder, null);
        }

        Directory.CreateDirectory(folder);
        var start = new ProcessStartInfo("npm") { WorkingDirectory = folder, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in new[] { "install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", folder, "s3rver@3.7.1", "azurite@3.37.0" })
        {
            start.ArgumentList.Add(a);
        }

        using Process npm = Process.Start(start)!;
        Task<string> error = npm.StandardError.ReadToEndAsync();
        npm.StandardOutput.ReadToEnd();
        if (!npm.WaitForExit(TimeSpan.FromMinutes(5)) || npm.ExitCode != 0)
        {
            return (null, "npm install s3rver@3.7.1 azurite@3.37.0 failed: " + error.Result.Trim());
        }

        return (folder, null);
    }


    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitForPort(int port, string what)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        throw new InvalidOperationException($"{what} did not listen on port {port} within 30 s");
    }

    private void Start(string folder, string script, params string[] args)
    {
        var start = new ProcessStartInfo("node") { WorkingDirectory = folder, RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(script);
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        Process p = Process.Start(start)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        processes.Add(p);
    }
}
