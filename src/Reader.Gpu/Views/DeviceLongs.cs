using ILGPU;
using Reader.Core.Decode.Jpeg;

namespace Reader.Gpu.Views;

/// <summary>An ILGPU <see cref="ArrayView{T}"/> of longs (packed decoder states) as <see cref="ILongView"/>.</summary>
internal readonly struct DeviceLongs : ILongView
{
    private readonly ArrayView<long> view;

    public DeviceLongs(ArrayView<long> view)
    {
        this.view = view;
    }

    public long this[int index]
    {
        get => view[index];
        set => view[index] = value;
    }
}
