using ILGPU;
using Reader.Core.Decode.Jpeg;

namespace Reader.Gpu.Views;

/// <summary>An ILGPU <see cref="ArrayView{T}"/> of ints (descriptors, tables, workspaces) as <see cref="IIntView"/>.</summary>
internal readonly struct DeviceInts : IAtomicIntView
{
    private readonly ArrayView<int> view;

    public DeviceInts(ArrayView<int> view)
    {
        this.view = view;
    }

    public int this[int index]
    {
        get => view[index];
        set => view[index] = value;
    }

    public void AtomicMax(int index, int value) => Atomic.Max(ref view[index], value);
}
