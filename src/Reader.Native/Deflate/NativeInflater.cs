using System.Runtime.InteropServices;

namespace Reader.Native.Deflate;

/// <summary>One libdeflate decompressor. Not thread-safe: keep one per thread.</summary>
public sealed unsafe class NativeInflater : IDisposable
{
    private readonly InflaterHandle handle;

    /// <summary>Creates a decompressor; check <see cref="IsSupported"/> first.</summary>
    public NativeInflater()
    {
        if (!IsSupported)
        {
            throw new DllNotFoundException("wsinative was built without libdeflate or is unavailable");
        }

        IntPtr raw = ShimMethods.InflaterCreate();
        if (raw == IntPtr.Zero)
        {
            throw new InvalidOperationException("libdeflate could not create a decompressor (out of memory)");
        }

        handle = new InflaterHandle(raw);
    }

    /// <summary>True when the shim is loaded and has libdeflate.</summary>
    public static bool IsSupported => NativeShim.IsAvailable && NativeShim.HasLibdeflate;

    /// <summary>Inflates a zlib stream into <paramref name="output"/>; never writes past it.</summary>
    public NativeStatus DecompressZlib(ReadOnlySpan<byte> input, Span<byte> output, out int written)
    {
        ObjectDisposedException.ThrowIf(handle.IsClosed, this);
        int status;
        nuint actual;
        fixed (byte* i = input)
        fixed (byte* o = output)
        {
            status = ShimMethods.ZlibDecompress(handle.DangerousGetHandle(), i, (nuint)input.Length, o, (nuint)output.Length, out actual);
        }

        written = (int)actual;
        return status switch
        {
            ShimMethods.StatusOk => NativeStatus.Ok,
            ShimMethods.StatusShort => NativeStatus.OutputTooLarge,
            ShimMethods.StatusUnavailable => NativeStatus.Unavailable,
            ShimMethods.StatusArgument => NativeStatus.InvalidArgument,
            _ => NativeStatus.Corrupt,
        };
    }

    /// <inheritdoc />
    public void Dispose() => handle.Dispose();

    private sealed class InflaterHandle : SafeHandle
    {
        public InflaterHandle(IntPtr raw)
            : base(IntPtr.Zero, ownsHandle: true)
        {
            SetHandle(raw);
        }

        public override bool IsInvalid => handle == IntPtr.Zero;

        protected override bool ReleaseHandle()
        {
            ShimMethods.InflaterDestroy(handle);
            return true;
        }
    }
}
