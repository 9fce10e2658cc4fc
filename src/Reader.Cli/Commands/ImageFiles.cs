using StbImageWriteSharp;

namespace Reader.Cli.Commands;

/// <summary>Writes RGBA pixels as PNG or as raw rows.</summary>
internal static class ImageFiles
{
    public static void Write(string path, byte[] rgba, int width, int height)
    {
        string extension = Path.GetExtension(path).ToLowerInvariant();
        switch (extension)
        {
            case ".png":
                using (FileStream stream = File.Create(path))
                {
                    new ImageWriter().WritePng(rgba, width, height, ColorComponents.RedGreenBlueAlpha, stream);
                }

                break;
            case ".raw":
                File.WriteAllBytes(path, rgba);
                break;
            default:
                throw new UsageException($"--out must end in .png or .raw, not '{extension}'");
        }
    }
}
