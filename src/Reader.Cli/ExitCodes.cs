namespace Reader.Cli;

/// <summary>The tool's exit codes.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>wsi verify found in-bounds differences; wsi tile --check found slides not done.</summary>
    public const int Differences = 1;

    public const int BadUsage = 2;

    /// <summary>The slide cannot be read (unsupported, corrupt, missing).</summary>
    public const int Unreadable = 3;

    /// <summary>wsi verify could compare no level with OpenSlide: not a pass.</summary>
    public const int NothingCompared = 4;

    /// <summary>wsi tile skipped slides it could not tile (the JSON summary lists them).</summary>
    public const int SlidesFailed = 5;
}

/// <summary>A usage problem found after parsing (a bad value), reported like a parse error.</summary>
internal sealed class UsageException(string message) : Exception(message);
