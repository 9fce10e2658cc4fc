using System.Runtime.InteropServices;

namespace Reader.Reference.OpenSlide;

/// <summary>
/// Owns an <c>openslide_t*</c>; releasing it calls <c>openslide_close</c>. Every call on the
/// handle goes through <see cref="Acquire"/>, which holds a reference for the duration of the
/// call: after <see cref="SafeHandle.Dispose()"/> a new call throws
/// <see cref="ObjectDisposedException"/>, and a Dispose that races with calls already in progress
/// does not close the handle under them: <c>openslide_close</c> runs when the last of them
/// returns (OpenSlide requires that no other thread be inside a call when it closes).
/// </summary>
/// <remarks>
/// SafeHandle alone is not enough for the first half: while references are outstanding, its
/// Dispose only marks the handle disposed, and <see cref="SafeHandle.DangerousAddRef"/> keeps
/// succeeding until the count reaches zero, which threads that read in a loop may never let
/// happen. Hence the separate flag, set before the base Dispose and checked before every AddRef.
/// </remarks>
internal sealed class OpenSlideHandle : SafeHandle
{
    private volatile bool disposeRequested;

    internal OpenSlideHandle(IntPtr osr)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        SetHandle(osr);
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>Holds a reference until the returned lease is disposed; throws <see cref="ObjectDisposedException"/> once Dispose was called.</summary>
    internal Lease Acquire()
    {
        // A Dispose between this check and the AddRef is harmless: either the AddRef throws
        // (already closed) or the call runs on a handle its reference keeps open.
        ObjectDisposedException.ThrowIf(disposeRequested, this);
        bool added = false;
        DangerousAddRef(ref added); // throws ObjectDisposedException when closed; never returns with added == false
        return new Lease(this);
    }

    protected override void Dispose(bool disposing)
    {
        disposeRequested = true;
        base.Dispose(disposing);
    }

    protected override bool ReleaseHandle()
    {
        OpenSlideMethods.Close(handle);
        return true;
    }

    /// <summary>One reference on the handle: the raw pointer is valid until <see cref="Dispose"/>.</summary>
    internal readonly ref struct Lease
    {
        private readonly OpenSlideHandle owner;

        internal Lease(OpenSlideHandle owner)
        {
            this.owner = owner;
            Pointer = owner.DangerousGetHandle();
        }

        internal IntPtr Pointer { get; }

        public void Dispose() => owner.DangerousRelease();
    }
}
