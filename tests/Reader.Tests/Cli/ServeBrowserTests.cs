using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using PuppeteerSharp;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Cli;

/// <summary>
/// `wsi serve` in a real browser (Debian's headless Chromium driven by PuppeteerSharp, no browser download): the
/// page opens a slide, tiles are requested and served with 200, two zooms fetch more, no console errors, and the
/// centre of the rendered view is not blank; bad requests get 404 and never reach outside the served slides.
/// </summary>
public sealed class ServeBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task The_viewer_shows_a_slide_in_a_real_browser()
    {
        Assert.SkipUnless(File.Exists(Chromium), "NEEDS Chromium (apt-get install chromium; ./build.sh setup does): the browser test did not run");
        await using var server = await WsiServe.StartAsync(FixtureFiles.Real("CMU-1-Small-Region.svs"));
        await using IBrowser browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            Headless = true,
            ExecutablePath = Chromium,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        await using IPage page = await browser.NewPageAsync();
        await page.SetViewportAsync(new ViewPortOptions { Width = 1280, Height = 800 });
        var errors = new List<string>();
        var tiles = new List<(string Url, HttpStatusCode Status)>();
        page.Console += (_, e) =>
        {
            if (e.Message.Type == ConsoleType.Error)
            {
                lock (errors)
                {
                    errors.Add(e.Message.Text);
                }
            }
        };
        page.PageError += (_, e) =>
        {
            lock (errors)
            {
                errors.Add(e.Message);
            }
        };
        page.Response += (_, e) =>
        {
            if ((int)e.Response.Status >= 400)
            {
                lock (errors)
                {
                    errors.Add($"{e.Response.Url}: {(int)e.Response.Status}");
                }
            }

            if (e.Response.Url.Contains("_files/", StringComparison.Ordinal))
            {
                lock (tiles)
                {
                    tiles.Add((e.Response.Url, e.Response.Status));
                }
            }
        };

        await page.GoToAsync(server.Address.ToString(), WaitUntilNavigation.Networkidle0);
        await page.WaitForFunctionAsync("() => window.wsiViewer && window.wsiViewer.world.getItemCount() > 0 && window.wsiViewer.world.getItemAt(0).getFullyLoaded()", new WaitForFunctionOptions { Timeout = 30000 });
        int first;
        lock (tiles)
        {
            first = tiles.Count;
        }

        Assert.True(first > 0, "no tile was requested");
        for (int zoom = 0; zoom < 2; zoom++)
        {
            await page.EvaluateExpressionAsync("window.wsiViewer.viewport.zoomBy(3); window.wsiViewer.viewport.applyConstraints();");
            await Task.Delay(600, TestContext.Current.CancellationToken);
            await page.WaitForFunctionAsync("() => window.wsiViewer.world.getItemAt(0).getFullyLoaded()", new WaitForFunctionOptions { Timeout = 30000 });
        }

        lock (tiles)
        {
            Assert.True(tiles.Count > first, $"zooming requested no new tiles ({tiles.Count})");
            Assert.All(tiles, t => Assert.True(t.Status == HttpStatusCode.OK, $"{t.Url}: {(int)t.Status}"));
            Assert.Contains(tiles, t => t.Url.Contains("_files/12/", StringComparison.Ordinal) || t.Url.Contains("_files/11/", StringComparison.Ordinal));
        }

        // The centre of the drawn canvas: tissue, not the white or empty background.
        int[] centre = await page.EvaluateFunctionAsync<int[]>("""
            () => {
              const c = window.wsiViewer.drawer.canvas;
              const d = c.getContext('2d').getImageData(Math.floor(c.width / 2) - 20, Math.floor(c.height / 2) - 20, 40, 40).data;
              let nonWhite = 0, opaque = 0;
              for (let i = 0; i < d.length; i += 4) { if (d[i + 3] > 0) opaque++; if (d[i] < 235 || d[i + 1] < 235 || d[i + 2] < 235) nonWhite++; }
              return [opaque, nonWhite];
            }
            """);
        Assert.True(centre[0] > 1000 && centre[1] > 100, $"the centre of the view looks blank: {centre[0]} opaque, {centre[1]} non-white of 1600");
        string shot = Path.Combine(TestSlides.TempFolder, "wsi-serve.png");
        await page.ScreenshotAsync(shot);
        Assert.True(new FileInfo(shot).Length > 10_000);
        lock (errors)
        {
            Assert.True(errors.Count == 0, "console errors: " + string.Join("; ", errors));
        }
    }

    [Fact]
    public async Task Bad_requests_get_404_and_never_read_outside_the_served_slides()
    {
        await using var server = await WsiServe.StartAsync(FixtureFiles.Real("CMU-1-Small-Region.svs"));
        Assert.Equal(IPAddress.Loopback.ToString(), server.Address.Host);
        using var http = new HttpClient { BaseAddress = server.Address };
        foreach (string bad in new[]
        {
            "slides/7.dzi", "slides/-1.dzi", "slides/0_files/99/0_0.jpeg", "slides/0_files/12/999_0.jpeg", "slides/0_files/12/0_0.png",
            "slides/0_files/12/a_b.jpeg", "slides/..%2F..%2Fetc%2Fpasswd.dzi", "slides/0/associated/..%2F..%2Fetc%2Fpasswd",
            "slides/0/associated/nonexistent", "osd/..%2F..%2F..%2Fetc%2Fpasswd", "osd/nothing.js", "api/slides/9/properties",
        })
        {
            using HttpResponseMessage response = await http.GetAsync(bad, TestContext.Current.CancellationToken);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{bad}: {(int)response.StatusCode}");
        }

        using HttpResponseMessage dzi = await http.GetAsync("slides/0.dzi", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, dzi.StatusCode);
        Assert.Contains("TileSize=\"254\"", await dzi.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        using HttpResponseMessage tile = await http.GetAsync("slides/0_files/0/0_0.jpeg", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, tile.StatusCode);
        Assert.Equal("image/jpeg", tile.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>`wsi serve` as a child process on a free loopback port.</summary>
    private sealed class WsiServe : IAsyncDisposable
    {
        private readonly Process process;

        private WsiServe(Process process, Uri address)
        {
            this.process = process;
            Address = address;
        }

        public Uri Address { get; }

        public static async Task<WsiServe> StartAsync(params string[] slides)
        {
            int port;
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                port = ((IPEndPoint)probe.LocalEndpoint).Port;
            }

            string wsi = Path.Combine(AppContext.BaseDirectory, "wsi.dll");
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            string[] args = [wsi, "serve", .. slides, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)];
            foreach (string a in args)
            {
                start.ArgumentList.Add(a);
            }

            Process process = Process.Start(start)!;
            process.ErrorDataReceived += (_, _) => { };
            process.BeginErrorReadLine();
            string? line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(line is not null && line.Contains("wsi serve:", StringComparison.Ordinal), "wsi serve did not start: " + line);
            return new WsiServe(process, new Uri($"http://127.0.0.1:{port}/"));
        }

        public ValueTask DisposeAsync()
        {
            try
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
            }

            process.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
