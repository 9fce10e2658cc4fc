namespace Reader.Gpu;

/// <summary>The device tile cache of a <see cref="GpuDecoder"/> (<see cref="GpuReaderOptions.DeviceTileCacheBytes"/>).</summary>
/// <param name="Hits">Tiles copied from the cache instead of fetched and decoded.</param>
/// <param name="Misses">Tiles looked up and not found.</param>
/// <param name="Evictions">Tiles dropped, least recently used first, to make room.</param>
/// <param name="Bypasses">Decoded tiles not cached: another tile size or format than the cache's, or every slot in use.</param>
/// <param name="BytesInUse">Bytes of cached tiles.</param>
/// <param name="Capacity">The bound in bytes.</param>
public sealed record DeviceCacheStatistics(long Hits, long Misses, long Evictions, long Bypasses, long BytesInUse, long Capacity);
