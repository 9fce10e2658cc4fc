using System.Text.Json;

namespace Reader.Tiling;

/// <summary>The state of one slide's output.</summary>
public enum SlideOutputState
{
    /// <summary>Finished, current and intact.</summary>
    Done,

    /// <summary>No output and no temporary folder.</summary>
    Missing,

    /// <summary>Only a temporary folder of a task that stopped (or is still running), or a folder without a done marker.</summary>
    Partial,

    /// <summary>Done, but for another input (size or time changed, or the input is gone) or other options.</summary>
    Stale,

    /// <summary>Done, but a file the marker or the index lists is missing or has another size (a deleted tile, a truncated tar).</summary>
    Damaged,
}

/// <summary>One slide's line of a check.</summary>
public sealed record SlideOutputStatus(string Slide, string Key, SlideOutputState State, string? Detail);

/// <summary><c>wsi tile --check OUT</c>: every slide of the run file, checked against its inputs, options and files.</summary>
public static class TileCheck
{
    /// <summary>Checks <paramref name="output"/>; throws <see cref="FileNotFoundException"/> when it holds no run file.</summary>
    public static IReadOnlyList<SlideOutputStatus> Run(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        string runFile = Path.Combine(output, TileRun.RunFile);
        if (!File.Exists(runFile))
        {
            throw new FileNotFoundException($"{runFile}: not found (not a wsi tile output folder)", runFile);
        }

        using JsonDocument run = JsonDocument.Parse(File.ReadAllBytes(runFile));
        string options = run.RootElement.GetProperty("options").GetString()!;
        var statuses = new List<SlideOutputStatus>();
        foreach (JsonElement slide in run.RootElement.GetProperty("slides").EnumerateArray())
        {
            string path = slide.GetProperty("path").GetString()!, fullPath = slide.GetProperty("fullPath").GetString()!, key = slide.GetProperty("key").GetString()!;
            var input = new TileInput(path, fullPath, null, null, slide.GetProperty("mask").GetString());
            statuses.Add(Check(output, input, slide.GetProperty("annotations").GetString(), key, options));
        }

        return statuses;
    }

    private static SlideOutputStatus Check(string output, TileInput input, string? annotations, string key, string options)
    {
        string path = input.Path;
        string folder = Path.Combine(output, key);
        bool leftovers = TileRun.Leftovers(output, key).Any();
        if (!Directory.Exists(folder))
        {
            return leftovers
                ? new SlideOutputStatus(path, key, SlideOutputState.Partial, "only a temporary folder (a task stopped, or is still running)")
                : new SlideOutputStatus(path, key, SlideOutputState.Missing, null);
        }

        if (DoneMarker.Read(folder) is not { } marker)
        {
            return new SlideOutputStatus(path, key, SlideOutputState.Partial, $"{DoneMarker.FileName} is missing or unreadable");
        }

        if (marker.Options != options)
        {
            return new SlideOutputStatus(path, key, SlideOutputState.Stale, $"written with other options ({marker.Options})");
        }

        InputIdentity now;
        try
        {
            now = InputIdentity.Of(input, annotations);
        }
        catch (FileNotFoundException)
        {
            return new SlideOutputStatus(path, key, SlideOutputState.Stale, "the input is gone");
        }

        if (!marker.Input.SameFile(now))
        {
            return new SlideOutputStatus(path, key, SlideOutputState.Stale, marker.Input.Sidecars != now.Sidecars
                ? $"its annotations or mask changed ({marker.Input.Sidecars} -> {now.Sidecars})"
                : $"the input changed (size {marker.Input.Size} -> {now.Size}, modified {marker.Input.Modified} -> {now.Modified})");
        }

        return marker.Damage(folder) is { } damage
            ? new SlideOutputStatus(path, key, SlideOutputState.Damaged, damage)
            : new SlideOutputStatus(path, key, SlideOutputState.Done, leftovers ? "a temporary folder of a later attempt is still there" : null);
    }
}
