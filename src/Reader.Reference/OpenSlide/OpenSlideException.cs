namespace Reader.Reference.OpenSlide;

/// <summary>
/// OpenSlide refused a file or failed on it. For a slide, the message names the file and carries
/// OpenSlide's own text (<see cref="OpenSlideMessage"/>). OpenSlide errors are terminal: once a
/// call has failed, every later call on the same <see cref="OpenSlideImage"/> throws this again.
/// </summary>
public class OpenSlideException : Exception
{
    public OpenSlideException()
    {
    }

    public OpenSlideException(string message)
        : base(message)
    {
    }

    public OpenSlideException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>An error about <paramref name="filePath"/>; <paramref name="openSlideMessage"/> is OpenSlide's text, if any.</summary>
    public OpenSlideException(string message, string? filePath, string? openSlideMessage)
        : base(message)
    {
        FilePath = filePath;
        OpenSlideMessage = openSlideMessage;
    }

    /// <summary>The file the error concerns, when known.</summary>
    public string? FilePath { get; }

    /// <summary>OpenSlide's own message (<c>openslide_get_error</c>), when it gave one.</summary>
    public string? OpenSlideMessage { get; }
}
