using System.Collections.Concurrent;
using System.CommandLine;
using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Reader.Cli.Commands;
using Reader.Core;

namespace Reader.Cli.Serve;

/// <summary>
/// wsi serve SLIDE|FOLDER...: a DeepZoom viewer like OpenSlide's deepzoom server. Kestrel on localhost (by default)
/// serves the slide list, each slide's .dzi descriptor and tiles made on demand (<see cref="DeepZoom"/>), its
/// properties and associated images, and a page with OpenSeadragon (bundled at build time from npm, no CDN) and an
/// mpp scale bar. Only the listed slides are served: ids index the list, never a path, so no request reads elsewhere.
/// </summary>
internal static class ServeCommand
{
    private static readonly string[] SlideExtensions = [".svs", ".tif", ".tiff", ".ndpi", ".dcm", ".vms", ".scn", ".bif", ".mrxs", ".svslide"];

    public static Command Create()
    {
        var paths = new Argument<string[]>("slides") { Description = "slides, or folders whose slides to list", Arity = ArgumentArity.OneOrMore };
        var port = new Option<int>("--port") { Description = "port (0: any free one)", DefaultValueFactory = _ => 8080 };
        var host = new Option<string>("--host") { Description = "address to bind (default localhost only)", DefaultValueFactory = _ => "127.0.0.1" };
        var command = new Command("serve", "a DeepZoom viewer of the slides in the browser (OpenSeadragon)") { paths, port, host };
        command.SetAction(p => Run(p.GetValue(paths)!, p.GetValue(host)!, p.GetValue(port)));
        return command;
    }

    private static int Run(string[] paths, string host, int port)
    {
        List<string> files = Discover(paths);
        if (files.Count == 0)
        {
            throw new UsageException("no slides found in " + string.Join(", ", paths));
        }

        var slides = new SlideSet(files);
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(string.Create(CultureInfo.InvariantCulture, $"http://{host}:{port}"));
        WebApplication app = builder.Build();
        Map(app, slides);
        app.StartAsync().GetAwaiter().GetResult();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Console.WriteLine($"wsi serve: {files.Count} slide(s) at {address}/ (Ctrl+C to stop)");
        app.WaitForShutdownAsync().GetAwaiter().GetResult();
        slides.Dispose();
        return ExitCodes.Success;
    }

    private static List<string> Discover(string[] paths)
    {
        var files = new List<string>();
        foreach (string path in paths)
        {
            if (Directory.Exists(path))
            {
                files.AddRange(Directory.EnumerateFiles(path).Where(f => SlideExtensions.Contains(Path.GetExtension(f).ToLowerInvariant())).Order(StringComparer.Ordinal));
            }
            else if (File.Exists(path) || Core.Sources.Remote.SlideLocations.IsRemote(path, out _))
            {
                files.Add(path);
            }
            else
            {
                throw new UsageException($"{path}: no such file or folder");
            }
        }

        return files;
    }

    private static void Map(WebApplication app, SlideSet slides)
    {
        app.MapGet("/", () => Results.Content(Resource("viewer.html") is { } page ? System.Text.Encoding.UTF8.GetString(page) : "viewer missing", "text/html; charset=utf-8"));
        app.MapGet("/favicon.ico", () => Results.Bytes(Resource("osd/images/home_rest.png") ?? [], "image/png"));
        app.MapGet("/osd/{*file}", (string file) =>
            Resource("osd/" + file) is { } bytes ? Results.Bytes(bytes, file.EndsWith(".js", StringComparison.Ordinal) ? "text/javascript" : "image/png") : Results.NotFound());
        app.MapGet("/api/slides", () => Results.Json(slides.Files.Select((f, i) => slides.Summary(i)).Where(s => s is not null)));
        app.MapGet("/api/slides/{id:int}/properties", (int id) => slides.Get(id) is { } s ? Results.Json(s.Slide.Properties) : Results.NotFound());
        app.MapGet("/slides/{name}", (string name) =>
        {
            if (!name.EndsWith(".dzi", StringComparison.Ordinal) || !int.TryParse(name[..^4], NumberStyles.None, CultureInfo.InvariantCulture, out int id) || slides.Get(id) is not { } s)
            {
                return Results.NotFound();
            }

            return Results.Content(s.Zoom.Descriptor(), "application/xml");
        });
        app.MapGet("/slides/{files}/{level:int}/{tile}", (string files, int level, string tile) =>
        {
            if (!files.EndsWith("_files", StringComparison.Ordinal) || !int.TryParse(files[..^6], NumberStyles.None, CultureInfo.InvariantCulture, out int id) || slides.Get(id) is not { } s)
            {
                return Results.NotFound();
            }

            string[] parts = Path.GetFileNameWithoutExtension(tile).Split('_');
            if (parts.Length != 2 || Path.GetExtension(tile) != "." + DeepZoom.Format
                || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long column)
                || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long row))
            {
                return Results.NotFound();
            }

            try
            {
                return s.Zoom.Tile(level, column, row) is { } bytes ? Results.Bytes(bytes, "image/" + DeepZoom.Format) : Results.NotFound();
            }
            catch (SlideException e)
            {
                return Results.Problem(Program.OneLine(e.Message), statusCode: 500);
            }
        });
        app.MapGet("/slides/{id:int}/associated/{name}", (int id, string name) =>
            slides.Get(id) is { } s && s.Slide.AssociatedImageNames.Contains(name) ? Results.Bytes(s.Zoom.Associated(name), "image/" + DeepZoom.Format) : Results.NotFound());
    }

    private static byte[]? Resource(string name)
    {
        if (name.Contains("..", StringComparison.Ordinal))
        {
            return null;
        }

        using Stream? stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("serve/" + name);
        if (stream is null)
        {
            return null;
        }

        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>The served slides, opened on first request and kept open.</summary>
    private sealed class SlideSet(List<string> files) : IDisposable
    {
        private readonly ConcurrentDictionary<int, Lazy<Served?>> open = new();

        public List<string> Files { get; } = files;

        public Served? Get(int id) => id < 0 || id >= Files.Count ? null : open.GetOrAdd(id, i => new Lazy<Served?>(() =>
        {
            try
            {
                var slide = Slide.Open(SlidePaths.Full(Files[i]));
                return new Served(slide, new DeepZoom(slide));
            }
            catch (SlideException e)
            {
                Console.Error.WriteLine($"wsi serve: {SlidePaths.Short(Files[i])}: {Program.OneLine(e.Message)}");
                return null;
            }
        })).Value;

        public object? Summary(int id) => Get(id) is { } s
            ? new
            {
                id = id.ToString(CultureInfo.InvariantCulture),
                name = SlidePaths.Short(Files[id]),
                width = s.Slide.Levels[0].Width,
                height = s.Slide.Levels[0].Height,
                vendor = s.Slide.Vendor,
                mpp = s.Slide.Mpp?.X,
                associated = s.Slide.AssociatedImageNames,
            }
            : null;

        public void Dispose()
        {
            foreach (Lazy<Served?> s in open.Values)
            {
                if (s.IsValueCreated)
                {
                    s.Value?.Slide.Dispose();
                }
            }
        }
    }

    private sealed record Served(Slide Slide, DeepZoom Zoom);
}
