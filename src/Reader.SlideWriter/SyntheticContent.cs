namespace Reader.SlideWriter;

/// <summary>
/// Deterministic H&amp;E-like content: white background, pink eosin-stained tissue with fibrous
/// texture, and purple hematoxylin nuclei. A pure function of (seed, level-0 position), so any
/// region of any level can be re-rendered as the exact truth of a lossless slide. Integer math only.
/// Level k pixel (x, y) samples level-0 position (x * 2^k, y * 2^k).
/// </summary>
public static class SyntheticContent
{
    private const int CellShift = 5; // nuclei cells of 32 level-0 pixels
    private const int CellSize = 1 << CellShift;

    /// <summary>Renders RGB pixels of <paramref name="level"/> into <paramref name="destination"/> (rows <paramref name="stride"/> bytes apart).</summary>
    public static void RenderRgb(int seed, int level, long x, long y, int width, int height, Span<byte> destination, int stride)
    {
        uint s = (uint)seed;
        int step = 1 << level;
        long x0 = x << level, y0 = y << level;

        // Nuclei of every cell the region (with a margin of one cell) covers, computed once.
        long cellX0 = (x0 >> CellShift) - 1, cellY0 = (y0 >> CellShift) - 1;
        long cellX1 = ((x0 + ((long)width * step)) >> CellShift) + 1, cellY1 = ((y0 + ((long)height * step)) >> CellShift) + 1;
        int cellsWide = (int)(cellX1 - cellX0 + 1), cellsHigh = (int)(cellY1 - cellY0 + 1);
        var nuclei = new long[cellsWide * cellsHigh * 3];
        for (int cy = 0; cy < cellsHigh; cy++)
        {
            for (int cx = 0; cx < cellsWide; cx++)
            {
                long gx = cellX0 + cx, gy = cellY0 + cy;
                uint h = Hash(gx, gy, s ^ 0xA5A5u);
                int i = ((cy * cellsWide) + cx) * 3;
                long centerX = (gx << CellShift) + (h & (CellSize - 1));
                long centerY = (gy << CellShift) + ((h >> 5) & (CellSize - 1));
                bool present = ((h >> 10) & 7) < 5 && Tissue(centerX, centerY, s) > 120;
                int radius = 5 + (int)((h >> 13) % 6);
                nuclei[i] = centerX;
                nuclei[i + 1] = centerY;
                nuclei[i + 2] = present ? radius : 0;
            }
        }

        for (int j = 0; j < height; j++)
        {
            long py = y0 + ((long)j * step);
            Span<byte> row = destination.Slice(j * stride, width * 3);
            for (int i = 0; i < width; i++)
            {
                long px = x0 + ((long)i * step);
                int tissue = Tissue(px, py, s);
                uint noise = Hash(px, py, s ^ 0x5bd1e995u);
                int n1 = (int)(noise & 31) - 16;
                int n2 = (int)((noise >> 5) & 31) - 16;
                int r, g, b;
                if (tissue < 100)
                {
                    // Glass: near white, faint noise.
                    r = 241 + (n1 >> 3);
                    g = 239 + (n2 >> 3);
                    b = 243 + (n1 >> 3);
                }
                else
                {
                    int fiber = ValueNoise(px, py, 48, s ^ 0x1234567u);
                    int density = Math.Min(tissue - 100, 40); // 0..40: blend in from the tissue edge
                    r = 232 - (fiber / 10) + (n1 / 2);
                    g = 150 - (fiber / 5) + n2;
                    b = 196 - (fiber / 12) + (n1 / 2);
                    r = 241 + (((r - 241) * density) / 40);
                    g = 239 + (((g - 239) * density) / 40);
                    b = 243 + (((b - 243) * density) / 40);

                    int nucleus = NucleusAt(nuclei, cellsWide, cellX0, cellY0, px, py);
                    if (nucleus > 0)
                    {
                        // Darker towards the centre (nucleus = closeness, 1..255).
                        r = 140 - (nucleus / 4) + n1;
                        g = 70 - (nucleus / 6) + n2;
                        b = 165 - (nucleus / 8) + n1;
                    }
                }

                int o = i * 3;
                row[o] = Clamp(r);
                row[o + 1] = Clamp(g);
                row[o + 2] = Clamp(b);
            }
        }
    }

    /// <summary>Renders the slide's stored samples (RGB, grey or RGBA) for a region.</summary>
    public static void RenderSamples(SyntheticSlideSpec spec, int level, long x, long y, int width, int height, Span<byte> destination, int stride)
    {
        int spp = spec.SamplesPerPixel;
        if (spp == 3)
        {
            RenderRgb(spec.Seed, level, x, y, width, height, destination, stride);
            return;
        }

        byte[] rgb = new byte[width * height * 3];
        RenderRgb(spec.Seed, level, x, y, width, height, rgb, width * 3);
        for (int j = 0; j < height; j++)
        {
            for (int i = 0; i < width; i++)
            {
                int s = ((j * width) + i) * 3;
                int d = (j * stride) + (i * spp);
                if (spp == 1)
                {
                    destination[d] = (byte)(((77 * rgb[s]) + (150 * rgb[s + 1]) + (29 * rgb[s + 2])) >> 8);
                }
                else
                {
                    destination[d] = rgb[s];
                    destination[d + 1] = rgb[s + 1];
                    destination[d + 2] = rgb[s + 2];
                    long px = (x + i) << level, py = (y + j) << level;
                    destination[d + 3] = (byte)Math.Min(255, Tissue(px, py, (uint)spec.Seed) * 2);
                }
            }
        }
    }

    private static int NucleusAt(long[] nuclei, int cellsWide, long cellX0, long cellY0, long px, long py)
    {
        long cx = (px >> CellShift) - cellX0, cy = (py >> CellShift) - cellY0;
        int best = 0;
        for (long dy = -1; dy <= 1; dy++)
        {
            for (long dx = -1; dx <= 1; dx++)
            {
                int i = (int)((((cy + dy) * cellsWide) + cx + dx) * 3);
                long radius = nuclei[i + 2];
                if (radius == 0)
                {
                    continue;
                }

                long ex = px - nuclei[i], ey = py - nuclei[i + 1];
                long d2 = (ex * ex) + (ey * ey), r2 = radius * radius;
                if (d2 < r2)
                {
                    int closeness = (int)(255 - ((d2 * 200) / r2));
                    best = Math.Max(best, closeness);
                }
            }
        }

        return best;
    }

    /// <summary>
    /// Whether level-0 position (x, y) of a slide of <paramref name="seed"/> is tissue: the truth for tissue masks.
    /// Tissue fades in from glass over presence 100-140; the truth is drawn at the middle of that fade.
    /// </summary>
    public static bool IsTissue(int seed, long x, long y) => Tissue(x, y, (uint)seed) >= 120;

    /// <summary>0..255: large-scale tissue presence (two octaves of value noise).</summary>
    private static int Tissue(long x, long y, uint seed) => ((2 * ValueNoise(x, y, 2048, seed)) + ValueNoise(x, y, 512, seed ^ 0x9E37u)) / 3;

    /// <summary>Bilinear value noise on a lattice of <paramref name="cell"/> pixels, 0..255.</summary>
    private static int ValueNoise(long x, long y, int cell, uint seed)
    {
        long gx = x / cell, gy = y / cell;
        int fx = (int)(((x - (gx * cell)) << 8) / cell);
        int fy = (int)(((y - (gy * cell)) << 8) / cell);
        int v00 = (int)(Hash(gx, gy, seed) & 255), v10 = (int)(Hash(gx + 1, gy, seed) & 255);
        int v01 = (int)(Hash(gx, gy + 1, seed) & 255), v11 = (int)(Hash(gx + 1, gy + 1, seed) & 255);
        int top = (v00 << 8) + ((v10 - v00) * fx);
        int bottom = (v01 << 8) + ((v11 - v01) * fx);
        return ((top << 8) + ((bottom - top) * fy)) >> 16;
    }

    private static uint Hash(long x, long y, uint seed)
    {
        ulong h = ((ulong)x * 0x9E3779B97F4A7C15UL) ^ ((ulong)y * 0xC2B2AE3D27D4EB4FUL) ^ (seed * 0x165667B19E3779F9UL);
        h ^= h >> 29;
        h *= 0xBF58476D1CE4E5B9UL;
        h ^= h >> 32;
        return (uint)h;
    }

    private static byte Clamp(int v) => (byte)(v < 0 ? 0 : v > 255 ? 255 : v);
}
