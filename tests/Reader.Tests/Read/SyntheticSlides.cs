using Reader.SlideWriter;

namespace Reader.Tests.Read;

/// <summary>The synthetic slide kinds the read tests cover: every codec, subsampling, tile size and layout the writer makes.</summary>
internal static class SyntheticSlides
{
    public static readonly Dictionary<string, SyntheticSlideSpec> Kinds = new()
    {
        ["jpeg-420-256"] = new() { Width = 1000, Height = 700, Levels = 4 },
        ["jpeg-422-240"] = new() { Width = 720, Height = 500, TileWidth = 240, TileHeight = 240, Subsampling = ChromaSubsampling.S422 },
        ["jpeg-444-512"] = new() { Width = 900, Height = 600, TileWidth = 512, TileHeight = 512, Subsampling = ChromaSubsampling.S444 },
        ["jpeg-440-128"] = new() { Width = 500, Height = 300, TileWidth = 128, TileHeight = 128, Subsampling = ChromaSubsampling.S440, Quality = 60 },
        ["jpeg-aperio-rgb-240"] = new() { Width = 1000, Height = 800, TileWidth = 240, TileHeight = 240, Color = SlideColor.RgbCodedJpeg, Vendor = SlideVendor.Aperio, Quality = 70 },
        ["jpeg-gray-256"] = new() { Width = 600, Height = 520, Color = SlideColor.Gray, Quality = 80 },
        ["jpeg-tables-in-tile"] = new() { Width = 600, Height = 400, TileWidth = 128, TileHeight = 128, Tables = JpegTablesPlacement.InTile },
        ["jpeg-tables-split"] = new() { Width = 600, Height = 400, TileWidth = 128, TileHeight = 128, Tables = JpegTablesPlacement.Split },
        ["jpeg-restart-16"] = new() { Width = 300, Height = 200, TileWidth = 16, TileHeight = 16, RestartInterval = 1, Quality = 30, Levels = 2 },
        ["jpeg-32x128-bigtiff-be"] = new() { Width = 330, Height = 270, TileWidth = 32, TileHeight = 128, BigTiff = true, BigEndian = true, Quality = 100, Levels = 2 },
        ["deflate-predictor"] = new() { Width = 700, Height = 500, Compression = SlideCompression.Deflate, Predictor = true },
        ["deflate-bigtiff-be"] = new() { Width = 500, Height = 400, TileWidth = 128, TileHeight = 64, Compression = SlideCompression.Deflate, BigTiff = true, BigEndian = true },
        ["lzw-predictor"] = new() { Width = 520, Height = 390, TileWidth = 128, TileHeight = 128, Compression = SlideCompression.Lzw, Predictor = true },
        ["lzw-planar"] = new() { Width = 400, Height = 300, TileWidth = 64, TileHeight = 64, Compression = SlideCompression.Lzw, Planar = true, Predictor = true },
        ["none-48"] = new() { Width = 300, Height = 200, TileWidth = 48, TileHeight = 48, Compression = SlideCompression.None },
        ["zstd"] = new() { Width = 600, Height = 450, Compression = SlideCompression.Zstd, Predictor = true },
        ["packbits"] = new() { Width = 400, Height = 300, TileWidth = 128, TileHeight = 128, Compression = SlideCompression.PackBits },
        ["rgba-deflate"] = new() { Width = 400, Height = 300, TileWidth = 128, TileHeight = 128, Compression = SlideCompression.Deflate, Color = SlideColor.Rgba },
        ["gray-lzw"] = new() { Width = 400, Height = 300, TileWidth = 64, TileHeight = 64, Compression = SlideCompression.Lzw, Color = SlideColor.Gray },
    };

    public static TheoryData<string> Names => [.. Kinds.Keys];
}
