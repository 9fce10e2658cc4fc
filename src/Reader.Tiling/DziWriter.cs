using System.Globalization;
using Reader.Core;

namespace Reader.Tiling;

/// <summary>
/// One slide's DeepZoom pyramid: <c>KEY.dzi</c>, <c>KEY_files/LEVEL/COL_ROW.jpeg</c> (or <c>.png</c>), and
/// <c>KEY.parquet</c> indexing every tile (level by level, rows top to bottom). Tiles of a level are made in parallel;
/// each file's bytes depend only on the slide and options.
/// </summary>
internal static class DziWriter
{
    /// <summary>Writes the pyramid into <paramref name="folder"/>; returns the top-level files written and the tile count.</summary>
    public static (IReadOnlyList<string> Files, long Tiles, long Bytes) Write(Slide slide, string folder, string slideKey, string slidePath, string? label, TileOptions options, PatchEncoder encoder, CancellationToken cancellationToken)
    {
        var pyramid = new DeepZoomPyramid(slide, options.DziTileSize, options.DziOverlap);
        string tilesFolder = slideKey + "_files";
        double? mpp0 = slide.Mpp is { X: > 0 } m ? (m.X + m.Y) / 2 : options.FallbackMpp;
        var rows = new List<PatchIndexRow>();
        long bytes = 0;
        for (int level = 0; level < pyramid.LevelCount; level++)
        {
            string levelFolder = Path.Combine(folder, tilesFolder, level.ToString(CultureInfo.InvariantCulture));
            Directory.CreateDirectory(levelFolder);
            (long columns, long tileRows) = pyramid.TileCount(level);
            double downsample = pyramid.Downsample(level);
            var levelRows = new PatchIndexRow[checked((int)(columns * tileRows))];
            int z = level;
            Parallel.For(0, levelRows.Length, new ParallelOptions { MaxDegreeOfParallelism = options.Threads, CancellationToken = cancellationToken }, i =>
            {
                long column = i % columns, row = i / columns;
                pyramid.TryGetTile(z, column, row, out long left, out long top, out int width, out int height);
                byte[] image = encoder.Encode(pyramid.ReadTile(z, column, row)!, width, height);
                string name = string.Create(CultureInfo.InvariantCulture, $"{column}_{row}.{encoder.DziFormat}");
                File.WriteAllBytes(Path.Combine(levelFolder, name), image);
                levelRows[i] = new PatchIndexRow
                {
                    Key = string.Create(CultureInfo.InvariantCulture, $"{z}/{column}_{row}"),
                    File = string.Create(CultureInfo.InvariantCulture, $"{tilesFolder}/{z}/{name}"),
                    Bytes = image.Length,
                    Slide = slidePath,
                    Level = z,
                    X = (long)Math.Round(left * downsample),
                    Y = (long)Math.Round(top * downsample),
                    Width = (long)Math.Round(width * downsample),
                    Height = (long)Math.Round(height * downsample),
                    Mpp = mpp0 * downsample,
                    Label = label,
                };
            });
            foreach (PatchIndexRow r in levelRows)
            {
                bytes += r.Bytes;
            }

            rows.AddRange(levelRows);
        }

        string dzi = slideKey + ".dzi";
        File.WriteAllText(Path.Combine(folder, dzi), pyramid.Descriptor(encoder.DziFormat));
        string index = slideKey + ".parquet";
        PatchIndex.Write(Path.Combine(folder, index), rows);
        return ([dzi, index], rows.Count, bytes);
    }
}
