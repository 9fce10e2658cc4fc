using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Reader.Bench.Remote;

/// <summary>
/// A real HTTP server (Kestrel, in process, on a free loopback port) serving the files of one folder with Range,
/// ETag and If-Match support, as object stores and static servers do, and able to misbehave on request: latency,
/// bursts of an error status, connections reset mid-body, short bodies, a changed ETag. Counts every request.
/// The remote bench serves its slide with it; the tests inject faults through it.
/// </summary>
internal sealed class RangeServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly string root;
    private readonly ConcurrentQueue<string> log = new();
    private int requests;
    private int failNext;
    private int failStatus = 503;
    private int resetNext;
    private int shortNext;
    private int generation;

    private RangeServer(WebApplication app, string root)
    {
        this.app = app;
        this.root = root;
    }

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Requests served (or refused) so far.</summary>
    public int Requests => Volatile.Read(ref requests);

    /// <summary>"GET path bytes=a-b -> status" per request.</summary>
    public IReadOnlyCollection<string> Log => log;

    /// <summary>Delay before every response.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Starts serving <paramref name="root"/>.</summary>
    public static Task<RangeServer> StartAsync(string root) => StartAsync(root, null);

    /// <summary>Starts serving <paramref name="root"/>, over HTTPS with HTTP/1.1 and HTTP/2 when a certificate is given.</summary>
    public static async Task<RangeServer> StartAsync(string root, System.Security.Cryptography.X509Certificates.X509Certificate2? certificate)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (certificate is null)
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        }
        else
        {
            builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, l =>
            {
                l.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http1AndHttp2;
                l.UseHttps(certificate);
            }));
        }

        WebApplication app = builder.Build();
        var server = new RangeServer(app, Path.GetFullPath(root));
        app.Run(server.Handle);
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    public Uri AddressOf(string fileName) => new(BaseAddress, Uri.EscapeDataString(fileName));

    /// <summary>The next <paramref name="count"/> requests get <paramref name="status"/>.</summary>
    public void FailNext(int count, int status = 503)
    {
        failStatus = status;
        Volatile.Write(ref failNext, count);
    }

    /// <summary>The next <paramref name="count"/> responses stop half-way and reset the connection.</summary>
    public void ResetNext(int count) => Volatile.Write(ref resetNext, count);

    /// <summary>The next <paramref name="count"/> responses return only the first half of the range (a valid, shorter 206).</summary>
    public void ShortNext(int count) => Volatile.Write(ref shortNext, count);

    /// <summary>Every file gets a new ETag, as if rewritten.</summary>
    public void ChangeVersions() => Interlocked.Increment(ref generation);

    public void ResetCounters()
    {
        Volatile.Write(ref requests, 0);
        log.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private static bool Take(ref int counter)
    {
        int n;
        do
        {
            n = Volatile.Read(ref counter);
            if (n <= 0)
            {
                return false;
            }
        }
        while (Interlocked.CompareExchange(ref counter, n - 1, n) != n);
        return true;
    }

    private async Task Handle(HttpContext context)
    {
        Interlocked.Increment(ref requests);
        HttpRequest request = context.Request;
        HttpResponse response = context.Response;
        string range = request.Headers.Range.ToString();
        if (Latency > TimeSpan.Zero)
        {
            await Task.Delay(Latency);
        }

        string name = Uri.UnescapeDataString(request.Path.Value?.TrimStart('/') ?? string.Empty);
        string path = Path.GetFullPath(Path.Combine(root, name));
        if (!path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !File.Exists(path))
        {
            Respond(404);
            return;
        }

        if (Take(ref failNext))
        {
            Respond(failStatus);
            return;
        }

        var info = new FileInfo(path);
        string etag = string.Create(CultureInfo.InvariantCulture, $"\"{info.Length:x}-{info.LastWriteTimeUtc.Ticks:x}-{Volatile.Read(ref generation)}\"");
        response.Headers.ETag = etag;
        response.Headers.AcceptRanges = "bytes";
        string ifMatch = request.Headers.IfMatch.ToString();
        if (ifMatch.Length > 0 && ifMatch != "*" && ifMatch != etag)
        {
            Respond(412);
            return;
        }

        long length = info.Length, start = 0, end = length - 1;
        bool partial = false;
        if (range.StartsWith("bytes=", StringComparison.Ordinal))
        {
            string[] parts = range[6..].Split('-');
            start = long.Parse(parts[0], CultureInfo.InvariantCulture);
            end = parts[1].Length == 0 ? length - 1 : Math.Min(long.Parse(parts[1], CultureInfo.InvariantCulture), length - 1);
            if (start >= length)
            {
                response.Headers.ContentRange = $"bytes */{length}";
                Respond(416);
                return;
            }

            partial = true;
        }

        if (partial && Take(ref shortNext))
        {
            end = start + ((end - start) / 2);
        }

        long count = end - start + 1;
        response.StatusCode = partial ? 206 : 200;
        response.ContentLength = count;
        if (partial)
        {
            response.Headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"bytes {start}-{end}/{length}");
        }

        log.Enqueue($"{request.Method} {name} {range} {request.Protocol} -> {response.StatusCode}");
        if (HttpMethods.IsHead(request.Method))
        {
            return;
        }

        bool reset = Take(ref resetNext);
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, useAsync: true);
        file.Position = start;
        byte[] buffer = new byte[Math.Min(count, 1 << 16)];
        long left = reset ? count / 2 : count;
        while (left > 0)
        {
            int n = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)));
            await response.Body.WriteAsync(buffer.AsMemory(0, n));
            left -= n;
        }

        if (reset)
        {
            await response.Body.FlushAsync();
            context.Abort();
        }

        void Respond(int status)
        {
            response.StatusCode = status;
            log.Enqueue($"{request.Method} {name} {range} -> {status}");
        }
    }
}
