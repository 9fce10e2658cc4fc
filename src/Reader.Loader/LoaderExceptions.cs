using System.Globalization;
using Reader.Core;

namespace Reader.Loader;

/// <summary>A manifest (or patch list) that cannot be read: names the file and line.</summary>
public sealed class ManifestException : SlideException
{
    public ManifestException()
    {
    }

    public ManifestException(string message)
        : base(message)
    {
    }

    public ManifestException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    internal ManifestException(string file, int line, string reason, Exception? inner = null)
        : base(string.Create(CultureInfo.InvariantCulture, $"{file}, line {line}: {reason}"), inner)
    {
        File = file;
        Line = line;
    }

    /// <summary>The manifest.</summary>
    public string? File { get; }

    /// <summary>The 1-based line of the record at fault (0: the file as a whole).</summary>
    public int Line { get; }
}

/// <summary>An annotation file that cannot be read: names the file and the feature.</summary>
public sealed class AnnotationException : SlideException
{
    public AnnotationException()
    {
    }

    public AnnotationException(string message)
        : base(message)
    {
    }

    public AnnotationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// A loader patch failed: names the slide, the patch (level-0 origin, level) and its position in the epoch; the inner
/// exception says why.
/// </summary>
public sealed class LoaderPatchException : SlideException
{
    public LoaderPatchException()
    {
    }

    public LoaderPatchException(string message)
        : base(message)
    {
    }

    public LoaderPatchException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    internal LoaderPatchException(int index, string slide, LoaderPatch patch, Exception inner)
        : base(string.Create(CultureInfo.InvariantCulture, $"{slide}: patch {index} of the epoch at ({patch.X}, {patch.Y}): {inner.Message}"), inner)
    {
        Index = index;
        SlidePath = slide;
        Patch = patch;
    }

    /// <summary>The patch's position in the epoch (this rank's share).</summary>
    public int Index { get; }

    /// <summary>The slide it came from.</summary>
    public string? SlidePath { get; }

    /// <summary>The patch.</summary>
    public LoaderPatch Patch { get; }
}
