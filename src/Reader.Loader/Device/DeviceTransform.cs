namespace Reader.Loader;

/// <summary>
/// What device batches get on the device after the patches are assembled: optional conversion to float N x C x H x W
/// normalised per channel ((value / 255 - mean) / std), and seeded random flips and 90-degree rotations per patch.
/// The same arithmetic runs on the host (<see cref="ApplyOnHost"/>), so device results can be checked exactly.
/// </summary>
public sealed record DeviceTransform
{
    /// <summary>Float N x C x H x W (default) or augmented uint8 N x H x W x C.</summary>
    public bool ToFloat { get; init; } = true;

    /// <summary>Per-channel mean on the 0-1 scale (default ImageNet's).</summary>
    public IReadOnlyList<float> Mean { get; init; } = [0.485f, 0.456f, 0.406f, 0f];

    /// <summary>Per-channel standard deviation on the 0-1 scale (default ImageNet's).</summary>
    public IReadOnlyList<float> Std { get; init; } = [0.229f, 0.224f, 0.225f, 1f];

    /// <summary>Flip each patch horizontally and/or vertically with probability 1/2 each.</summary>
    public bool RandomFlips { get; init; }

    /// <summary>Rotate each patch by a random multiple of 90 degrees (square patches only).</summary>
    public bool RandomRotations { get; init; }

    /// <summary>The augmentation seed; a patch's flips and rotation depend on (seed, epoch, position in the epoch).</summary>
    public int Seed { get; init; }

    /// <summary>No augmentation, float output with ImageNet normalisation.</summary>
    public static DeviceTransform Default { get; } = new();

    /// <summary>The augmentation code of a patch: bit 0 horizontal flip, bit 1 vertical flip, bits 2-3 quarter turns.</summary>
    public int CodeOf(int epoch, long position)
    {
        if (!RandomFlips && !RandomRotations)
        {
            return 0;
        }

        ulong bits = SeededRandom.For(Seed, epoch, position).Next();
        int code = RandomFlips ? (int)(bits & 3) : 0;
        return RandomRotations ? code | (int)(((bits >> 2) & 3) << 2) : code;
    }

    /// <summary>
    /// The host reference: <paramref name="count"/> patches of <paramref name="input"/> (N x H x W x C uint8)
    /// transformed with per-patch <paramref name="codes"/> into <paramref name="floats"/> (N x C x H x W) or
    /// <paramref name="bytes"/> (N x H x W x C), whichever <see cref="ToFloat"/> selects.
    /// </summary>
    public void ApplyOnHost(ReadOnlySpan<byte> input, int count, int height, int width, int channels, ReadOnlySpan<int> codes, Span<float> floats, Span<byte> bytes)
    {
        TransformShape shape = Shape(count, height, width, channels);
        long total = (long)count * height * width * channels;
        for (long i = 0; i < total; i++)
        {
            if (ToFloat)
            {
                floats[(int)i] = TransformBody.FloatAt(input, codes, shape, i);
            }
            else
            {
                bytes[(int)i] = TransformBody.ByteAt(input, codes, shape, i);
            }
        }
    }

    internal TransformShape Shape(int count, int height, int width, int channels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(channels, 4);
        if (RandomRotations && width != height)
        {
            throw new ArgumentException($"random 90-degree rotations need square patches ({width} x {height})");
        }

        if (Mean.Count < channels || Std.Count < channels)
        {
            throw new ArgumentException($"Mean and Std need {channels} values");
        }

        float M(int c) => c < channels ? Mean[c] * 255f : 0f;
        float K(int c) => c < channels ? 1f / (Std[c] * 255f) : 0f;
        for (int c = 0; c < channels; c++)
        {
            if (!(Std[c] > 0) || !float.IsFinite(Mean[c]))
            {
                throw new ArgumentException($"channel {c}: std must be positive and mean finite");
            }
        }

        return new TransformShape(count, height, width, channels, M(0), M(1), M(2), M(3), K(0), K(1), K(2), K(3));
    }
}
