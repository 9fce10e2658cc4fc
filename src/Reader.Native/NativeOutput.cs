using System.Runtime.InteropServices;

namespace Reader.Native;

/// <summary>Shared handling of the shim's status codes, messages and malloc'ed outputs.</summary>
internal static unsafe class NativeOutput
{
    /// <summary>Bytes of the message buffer every stateless shim call gets.</summary>
    internal const int MessageBytes = 256;

    internal static NativeStatus StatusOf(int status) => status switch
    {
        ShimMethods.StatusOk => NativeStatus.Ok,
        ShimMethods.StatusSize => NativeStatus.SizeMismatch,
        ShimMethods.StatusUnavailable => NativeStatus.Unavailable,
        ShimMethods.StatusArgument => NativeStatus.InvalidArgument,
        ShimMethods.StatusUnsupported => NativeStatus.Unsupported,
        _ => NativeStatus.Corrupt,
    };

    internal static string Message(byte* message) => Marshal.PtrToStringUTF8((IntPtr)message) ?? string.Empty;

    /// <summary>Copies a successful encoder's output to a managed array and frees it; throws on failure.</summary>
    internal static byte[] Take(string library, int status, IntPtr output, nuint length, byte* message)
    {
        try
        {
            if (status != ShimMethods.StatusOk)
            {
                throw new InvalidOperationException($"{library} encode failed (status {status}): {Message(message)}");
            }

            return new ReadOnlySpan<byte>((void*)output, checked((int)length)).ToArray();
        }
        finally
        {
            if (output != IntPtr.Zero)
            {
                ShimMethods.Free(output);
            }
        }
    }
}
