namespace Reader.Loader;

/// <summary>Binary closing and opening with a square of side 2r+1, as separable running minima and maxima.</summary>
internal static class Morphology
{
    public static void Close(byte[] bits, int width, int height, int radius)
    {
        Dilate(bits, width, height, radius);
        Erode(bits, width, height, radius);
    }

    public static void Open(byte[] bits, int width, int height, int radius)
    {
        Erode(bits, width, height, radius);
        Dilate(bits, width, height, radius);
    }

    // Outside the image counts as background for dilation and as foreground for erosion, so neither grows nor eats
    // tissue at the border by itself (the usual "border value" choice of morphology libraries).
    public static void Dilate(byte[] bits, int width, int height, int radius) => Pass(bits, width, height, radius, dilate: true);

    public static void Erode(byte[] bits, int width, int height, int radius) => Pass(bits, width, height, radius, dilate: false);

    private static void Pass(byte[] bits, int width, int height, int radius, bool dilate)
    {
        var temp = new byte[bits.Length];
        byte hit = dilate ? (byte)1 : (byte)0;
        // Rows.
        for (int y = 0; y < height; y++)
        {
            int row = y * width;
            for (int x = 0; x < width; x++)
            {
                byte value = (byte)(1 - hit);
                for (int k = Math.Max(0, x - radius); k <= Math.Min(width - 1, x + radius); k++)
                {
                    if (bits[row + k] == hit)
                    {
                        value = hit;
                        break;
                    }
                }

                temp[row + x] = value;
            }
        }

        // Columns.
        for (int x = 0; x < width; x++)
        {
            for (int y = 0; y < height; y++)
            {
                byte value = (byte)(1 - hit);
                for (int k = Math.Max(0, y - radius); k <= Math.Min(height - 1, y + radius); k++)
                {
                    if (temp[(k * width) + x] == hit)
                    {
                        value = hit;
                        break;
                    }
                }

                bits[(y * width) + x] = value;
            }
        }
    }
}
