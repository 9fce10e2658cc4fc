using ILGPU;
using Reader.Core.Decode.Jpeg;

namespace Reader.Gpu.Views;

/// <summary>An ILGPU <see cref="ArrayView{T}"/> of bytes as the JPEG bodies' <see cref="IByteView"/> (in kernels, and on CPU-accelerator memory from host code).</summary>
internal readonly struct DeviceBytes : IByteView
{
    private readonly ArrayView<byte> view;

    public DeviceBytes(ArrayView<byte> view)
    {
        this.view = view;
    }

    public byte this[int index]
    {
        get => view[index];
        set => view[index] = value;
    }
}
