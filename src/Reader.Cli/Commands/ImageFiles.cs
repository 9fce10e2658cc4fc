using StbImageWriteSharp;

namespace Reader.Cli.Commands;

/// <summary>Writes RGBA pixels as PNG or as raw rows.</summary>
internal static class ImageFiles
{
    /// <summary>Refuses an output name this tool cannot write, before any pixels are read.</summary>
    public static void CheckName(string path)
    {
        string extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is not (".png" or ".raw"))
        {
            throw new UsageException($"--out must end in .png or .raw, not '{extension}'");
        }
    }

    public static void Write(string path, byte[] rgba, int width, int height)
    {
        CheckName(path);
        switch (Path.GetExtension(path).ToLowerInvariant())
        {
            case ".png":
                using (FileStream stream = File.Create(path))
                {
                    new ImageWriter().WritePng(rgba, width, height, ColorComponents.RedGreenBlueAlpha, stream);
                }

                break;
            default: // .raw
                File.WriteAllBytes(path, rgba);
                break;
        }
    }
}
