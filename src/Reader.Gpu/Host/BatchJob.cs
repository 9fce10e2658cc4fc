using Reader.Core.Plan;
using System.Collections.Concurrent;
using Reader.Core;

namespace Reader.Gpu.Host;

/// <summary>
/// The host state of one batch: each patch's region plan on the level, and the distinct tiles they touch,
/// gathered concurrently by the workers (each tile once). The executor packs and runs it.
/// </summary>
internal sealed class BatchJob(TileGatherer gatherer, int count, int width, int height, FillColor fill, DeviceTileCache? cache = null)
{
    private readonly ConcurrentDictionary<(long Column, long Row), TileWork> tiles = new();

    public TileGatherer Gatherer { get; } = gatherer;

    public RegionPlan[] Windows { get; } = new RegionPlan[count];

    public int Width { get; } = width;

    public int Height { get; } = height;

    public FillColor Fill { get; } = fill;

    public GatherCounters Counters { get; } = new();

    /// <summary>The decoder's device tile cache, or null.</summary>
    public DeviceTileCache? Cache { get; } = cache;

    /// <summary>Places patch <paramref name="slot"/> at level pixel (x, y) and gathers the tiles it needs that no other worker has claimed.</summary>
    public void Produce(int slot, long x, long y)
    {
        RegionPlan window = RegionPlan.Of(Gatherer.Grid, x, y, Width, Height);
        Windows[slot] = window;
        for (int r = 0; r < window.Rows; r++)
        {
            for (int c = 0; c < window.Columns; c++)
            {
                TileWork work = tiles.GetOrAdd((window.FirstColumn + c, window.FirstRow + r), key => new TileWork(key.Column, key.Row));
                if (work.TryClaim())
                {
                    if (Cache?.Get(Gatherer.Decoder, Gatherer.Format, work.Column, work.Row) is { } entry)
                    {
                        work.Cache = Cache;
                        work.CacheEntry = entry;
                        work.Route = TileRoute.Cached;
                    }
                    else
                    {
                        Gatherer.Gather(work, Counters);
                    }
                }
            }
        }
    }

    /// <summary>The tile at (column, row); it was gathered by <see cref="Produce"/>.</summary>
    public TileWork Tile(long column, long row) => tiles[(column, row)];

    /// <summary>The first patch (in batch order) that uses <paramref name="work"/>.</summary>
    public int FirstPatchUsing(TileWork work)
    {
        for (int i = 0; i < Windows.Length; i++)
        {
            RegionPlan w = Windows[i];
            if (work.Column >= w.FirstColumn && work.Column < w.FirstColumn + w.Columns && work.Row >= w.FirstRow && work.Row < w.FirstRow + w.Rows)
            {
                return i;
            }
        }

        return 0;
    }

    /// <summary>Returns every rented buffer.</summary>
    public void Release()
    {
        foreach (TileWork work in tiles.Values)
        {
            work.Release();
        }
    }
}
