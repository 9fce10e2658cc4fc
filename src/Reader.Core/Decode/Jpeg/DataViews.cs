namespace Reader.Core.Decode.Jpeg;

/// <summary>
/// Element access that both a CPU array and an ILGPU ArrayView can provide. The JPEG
/// bodies are generic over these, so the CPU decoder and the GPU kernels run one
/// implementation of the arithmetic (bit-exactness is proven once).
/// </summary>
internal interface IByteView
{
    byte this[int index] { get; set; }
}

/// <summary>Element access to 16-bit coefficients.</summary>
internal interface IShortView
{
    short this[int index] { get; set; }
}

/// <summary>Element access to 32-bit integers (descriptors, tables, workspaces).</summary>
internal interface IIntView
{
    int this[int index] { get; set; }
}

/// <summary>A byte array (with a base offset) as an <see cref="IByteView"/>; bounds-checked.</summary>
internal readonly struct ByteArrayView(byte[] array, int offset = 0) : IByteView
{
    public byte this[int index]
    {
        get => array[offset + index];
        set => array[offset + index] = value;
    }
}

/// <summary>A short array as an <see cref="IShortView"/>; bounds-checked.</summary>
internal readonly struct ShortArrayView(short[] array, int offset = 0) : IShortView
{
    public short this[int index]
    {
        get => array[offset + index];
        set => array[offset + index] = value;
    }
}

/// <summary>An int array as an <see cref="IIntView"/>; bounds-checked.</summary>
internal readonly struct IntArrayView(int[] array, int offset = 0) : IAtomicIntView
{
    public int this[int index]
    {
        get => array[offset + index];
        set => array[offset + index] = value;
    }

    public void AtomicMax(int index, int value)
    {
        ref int target = ref array[offset + index];
        int seen = Volatile.Read(ref target);
        while (value > seen)
        {
            int before = Interlocked.CompareExchange(ref target, value, seen);
            if (before == seen)
            {
                return;
            }

            seen = before;
        }
    }
}

/// <summary>32-bit integers that also take an atomic maximum (the parallel Huffman decoder's entry states).</summary>
internal interface IAtomicIntView : IIntView
{
    /// <summary>Atomically raises element <paramref name="index"/> to <paramref name="value"/> when that is larger.</summary>
    void AtomicMax(int index, int value);
}
