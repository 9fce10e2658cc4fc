using ILGPU;
using Reader.Core.Decode.Jpeg;

namespace Reader.Gpu.Views;

/// <summary>An ILGPU <see cref="ArrayView{T}"/> of 16-bit coefficients as <see cref="IShortView"/>.</summary>
internal readonly struct DeviceShorts : IShortView
{
    private readonly ArrayView<short> view;

    public DeviceShorts(ArrayView<short> view)
    {
        this.view = view;
    }

    public short this[int index]
    {
        get => view[index];
        set => view[index] = value;
    }
}
