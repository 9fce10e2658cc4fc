using Reader.Loader;
using TorchSharp;
using static TorchSharp.torch;

namespace Reader.Torch;

/// <summary>
/// Host loader batches as TorchSharp tensors: images as uint8 N x H x W x C or normalised (and optionally augmented)
/// float N x C x H x W with exactly the arithmetic of <see cref="DeviceTransform"/>, labels as int64 (-1 where a patch
/// has none or was skipped: pass <c>ignore_index: -1</c> to the loss). Device batches (<see cref="DeviceLoaderBatch"/>)
/// expose pointer, shape and strides instead, for whatever CUDA interop a project has; the registry here serves only
/// TorchSharp's CPU build.
/// </summary>
public static class TorchBatches
{
    static TorchBatches() => TorchRuntime.Initialize();

    /// <summary>The pixels as a uint8 tensor N x H x W x C (a copy).</summary>
    public static Tensor ImagesAsBytes(LoaderBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return tensor(batch.Data.ToArray(), [batch.Count, batch.Height, batch.Width, batch.Channels], ScalarType.Byte);
    }

    /// <summary>
    /// The pixels as float N x C x H x W, normalised and augmented by <paramref name="transform"/> (default: ImageNet
    /// mean and std, no augmentation); augmentation codes follow the patches' positions in epoch <paramref name="epoch"/>.
    /// </summary>
    public static Tensor ImagesAsFloat(LoaderBatch batch, DeviceTransform? transform = null, int epoch = 0)
    {
        ArgumentNullException.ThrowIfNull(batch);
        transform = (transform ?? DeviceTransform.Default) with { ToFloat = true };
        var codes = new int[batch.Count];
        for (int i = 0; i < codes.Length; i++)
        {
            codes[i] = transform.CodeOf(epoch, batch.First + i);
        }

        var values = new float[(long)batch.Count * batch.Channels * batch.Height * batch.Width];
        transform.ApplyOnHost(batch.Data.Span, batch.Count, batch.Height, batch.Width, batch.Channels, codes, values, default);
        return tensor(values, [batch.Count, batch.Channels, batch.Height, batch.Width], ScalarType.Float32);
    }

    /// <summary>The labels as int64 (N).</summary>
    public static Tensor Labels(LoaderBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return tensor(batch.Labels.Select(l => (long)l).ToArray(), [batch.Count], ScalarType.Int64);
    }
}
