namespace Reader.Tests.Infrastructure;

/// <summary>Pixel-for-pixel comparison that says where and by how much images differ.</summary>
internal static class PixelAssert
{
    public static void Equal(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual, int width, int bytesPerPixel, string context)
    {
        Assert.Equal(expected.Length, actual.Length);
        int differing = 0, maxDiff = 0, first = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            if (expected[i] != actual[i])
            {
                differing++;
                maxDiff = Math.Max(maxDiff, Math.Abs(expected[i] - actual[i]));
                if (first < 0)
                {
                    first = i;
                }
            }
        }

        if (differing > 0)
        {
            int pixel = first / bytesPerPixel;
            Assert.Fail($"{context}: {differing} of {expected.Length} bytes differ (max {maxDiff}); first at pixel ({pixel % width}, {pixel / width}) channel {first % bytesPerPixel}: expected {expected[first]}, got {actual[first]}");
        }
    }
}
