using System.Text.Json;

namespace Reader.Tiling;

/// <summary>A slide that could not be tiled, and why.</summary>
public sealed record TileFailure(string Slide, string Reason);

/// <summary>What one task did: its share of the slides, written or skipped (already done), patches and bytes written.</summary>
public sealed record TileSummary(ShardSpec Shard, int Slides, int Written, int Skipped, long Patches, long Bytes, double Seconds, IReadOnlyList<TileFailure> Failures)
{
    /// <summary>The summary as one JSON object (what <c>wsi tile</c> prints at the end).</summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("shard", Shard.ToString());
            json.WriteNumber("slides", Slides);
            json.WriteNumber("written", Written);
            json.WriteNumber("skipped", Skipped);
            json.WriteNumber("failed", Failures.Count);
            json.WriteNumber("patches", Patches);
            json.WriteNumber("bytes", Bytes);
            json.WriteNumber("seconds", Math.Round(Seconds, 3));
            json.WriteStartArray("failures");
            foreach (TileFailure failure in Failures)
            {
                json.WriteStartObject();
                json.WriteString("slide", failure.Slide);
                json.WriteString("reason", failure.Reason);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
