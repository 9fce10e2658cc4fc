using System.Globalization;
using System.Text.Json;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;
using NetTopologySuite.Geometries.Utilities;

namespace Reader.Loader;

/// <summary>
/// A slide's annotations: GeoJSON polygons and multipolygons in level-0 pixel coordinates with a class name, as QuPath
/// exports them (a FeatureCollection, a Feature, or an array of Features; the class is
/// <c>properties.classification.name</c>, or <c>properties.classification</c> when it is a string). Unclassified
/// features, points and lines are ignored. Invalid polygons (self-intersections) are repaired, not refused.
/// Geometry is NetTopologySuite's, so coverage areas are exact.
/// </summary>
public sealed class SlideAnnotations
{
    private const long MaxFileBytes = 1L << 30;
    private static readonly GeometryFactory Factory = new();
    private readonly List<Region> regions;
    private readonly Dictionary<string, IPreparedGeometry> byClass;
    private readonly NetTopologySuite.Index.Strtree.STRtree<Region> index = new();

    private SlideAnnotations(List<Region> regions)
    {
        this.regions = regions;
        foreach (Region region in regions)
        {
            index.Insert(region.Envelope, region);
        }

        index.Build(); // centre lookups visit only the annotations whose bounds hold the point, not every polygon
        byClass = regions
            .GroupBy(r => r.Class, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => PreparedGeometryFactory.Prepare(NetTopologySuite.Operation.Union.UnaryUnionOp.Union(g.Select(r => r.Shape).ToList())), StringComparer.Ordinal);
        Classes = [.. byClass.Keys.Order(StringComparer.Ordinal)];
    }

    /// <summary>The class names present, sorted.</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>Annotated polygons kept.</summary>
    public int Count => regions.Count;

    /// <summary>Reads a GeoJSON file.</summary>
    public static SlideAnnotations Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"{path}: annotation file not found", path);
        }

        if (info.Length > MaxFileBytes)
        {
            throw new AnnotationException($"{path}: {info.Length} bytes is more than an annotation file may hold ({MaxFileBytes})");
        }

        using FileStream stream = File.OpenRead(path);
        return Parse(stream, path);
    }

    /// <summary>Reads GeoJSON from <paramref name="json"/>; <paramref name="name"/> names it in errors.</summary>
    public static SlideAnnotations Parse(Stream json, string name)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new AnnotationException($"{name}: not JSON: {e.Message}", e);
        }

        using (document)
        {
            var regions = new List<Region>();
            JsonElement root = document.RootElement;
            IEnumerable<JsonElement> features = root.ValueKind switch
            {
                JsonValueKind.Array => root.EnumerateArray(),
                JsonValueKind.Object when Type(root) == "FeatureCollection" && root.TryGetProperty("features", out JsonElement list) && list.ValueKind == JsonValueKind.Array => list.EnumerateArray(),
                JsonValueKind.Object when Type(root) == "Feature" => [root],
                _ => throw new AnnotationException($"{name}: expected a FeatureCollection, a Feature or an array of Features"),
            };
            int index = 0;
            foreach (JsonElement feature in features)
            {
                try
                {
                    AddFeature(feature, regions);
                }
                catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException or KeyNotFoundException or TopologyException)
                {
                    throw new AnnotationException(string.Create(CultureInfo.InvariantCulture, $"{name}: feature {index}: {e.Message}"), e);
                }

                index++;
            }

            return new SlideAnnotations(regions);
        }
    }

    /// <summary>
    /// The label of the level-0 rectangle at (<paramref name="x"/>, <paramref name="y"/>) by
    /// <paramref name="labelling"/>: a class name, <see cref="AnnotationLabelling.Background"/>, or null (dropped).
    /// </summary>
    public string? LabelOf(long x, long y, long width, long height, AnnotationLabelling labelling)
    {
        ArgumentNullException.ThrowIfNull(labelling);
        if (labelling.Rule == LabelRule.Centre)
        {
            var centre = Factory.CreatePoint(new Coordinate(x + (width / 2.0), y + (height / 2.0)));
            Region? best = null;
            foreach (Region region in index.Query(centre.EnvelopeInternal))
            {
                if ((best is null || region.Area < best.Area || (region.Area == best.Area && regions.IndexOf(region) < regions.IndexOf(best))) && region.Prepared.Contains(centre))
                {
                    best = region;
                }
            }

            return best?.Class ?? labelling.Background;
        }

        string? chosen = null;
        double most = 0;
        foreach ((string name, double fraction) in Coverage(x, y, width, height))
        {
            if (fraction > most)
            {
                most = fraction;
                chosen = name;
            }
        }

        return chosen is not null && most >= labelling.MinCoverage ? chosen : labelling.Background;
    }

    /// <summary>Each class's exact share of the level-0 rectangle (classes that touch it only).</summary>
    public IEnumerable<(string Class, double Fraction)> Coverage(long x, long y, long width, long height)
    {
        Polygon rectangle = Rectangle(x, y, width, height);
        double area = (double)width * height;
        foreach (string name in Classes)
        {
            IPreparedGeometry shape = byClass[name];
            if (!shape.Intersects(rectangle))
            {
                continue;
            }

            double fraction = shape.Contains(rectangle) ? 1 : shape.Geometry.Intersection(rectangle).Area / area;
            yield return (name, fraction);
        }
    }

    private static Polygon Rectangle(long x, long y, long width, long height) => Factory.CreatePolygon(
        [new Coordinate(x, y), new Coordinate(x + width, y), new Coordinate(x + width, y + height), new Coordinate(x, y + height), new Coordinate(x, y)]);

    private static string? Type(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty("type", out JsonElement t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;

    private static void AddFeature(JsonElement feature, List<Region> regions)
    {
        if (Type(feature) != "Feature")
        {
            throw new FormatException("not a Feature");
        }

        string? name = null;
        if (feature.TryGetProperty("properties", out JsonElement properties) && properties.ValueKind == JsonValueKind.Object
            && properties.TryGetProperty("classification", out JsonElement classification))
        {
            name = classification.ValueKind switch
            {
                JsonValueKind.Object when classification.TryGetProperty("name", out JsonElement n) && n.ValueKind == JsonValueKind.String => n.GetString(),
                JsonValueKind.String => classification.GetString(),
                _ => null,
            };
        }

        if (string.IsNullOrEmpty(name) || !feature.TryGetProperty("geometry", out JsonElement geometry) || geometry.ValueKind != JsonValueKind.Object)
        {
            return; // unclassified or geometry-less: nothing to label with
        }

        Geometry? shape = Type(geometry) switch
        {
            "Polygon" => PolygonOf(geometry.GetProperty("coordinates")),
            "MultiPolygon" => Factory.CreateMultiPolygon([.. geometry.GetProperty("coordinates").EnumerateArray().Select(PolygonOf)]),
            _ => null, // points, lines: no area to label with
        };
        if (shape is null)
        {
            return;
        }

        if (!shape.IsValid)
        {
            shape = GeometryFixer.Fix(shape);
        }

        if (shape.IsEmpty || shape.Area <= 0)
        {
            return;
        }

        regions.Add(new Region(name, shape));
    }

    private static Polygon PolygonOf(JsonElement rings)
    {
        var linear = new List<LinearRing>();
        foreach (JsonElement ring in rings.EnumerateArray())
        {
            var coordinates = new List<Coordinate>();
            foreach (JsonElement point in ring.EnumerateArray())
            {
                if (point.ValueKind != JsonValueKind.Array || point.GetArrayLength() < 2)
                {
                    throw new FormatException("a position is not [x, y]");
                }

                double px = point[0].GetDouble(), py = point[1].GetDouble();
                if (!double.IsFinite(px) || !double.IsFinite(py))
                {
                    throw new FormatException("a coordinate is not finite");
                }

                coordinates.Add(new Coordinate(px, py));
            }

            if (coordinates.Count > 0 && !coordinates[0].Equals2D(coordinates[^1]))
            {
                coordinates.Add(coordinates[0].Copy()); // close what the writer left open
            }

            if (coordinates.Count < 4)
            {
                throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"a ring of {coordinates.Count} positions (at least 4, closed)"));
            }

            linear.Add(Factory.CreateLinearRing([.. coordinates]));
        }

        if (linear.Count == 0)
        {
            throw new FormatException("a polygon without rings");
        }

        return Factory.CreatePolygon(linear[0], [.. linear.Skip(1)]);
    }

    private sealed class Region(string name, Geometry shape)
    {
        public string Class { get; } = name;

        public Geometry Shape { get; } = shape;

        public double Area { get; } = shape.Area;

        public Envelope Envelope { get; } = shape.EnvelopeInternal;

        public IPreparedGeometry Prepared { get; } = PreparedGeometryFactory.Prepare(shape);
    }
}
