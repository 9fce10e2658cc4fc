using System.Runtime.InteropServices;

namespace Reader.Reference.OpenSlide;

/// <summary>
/// The OpenSlide C API (openslide.h), one to one. Strings handed to OpenSlide are UTF-8; strings
/// it returns are <c>const char*</c> owned by the library (or by the <c>openslide_t</c>), so they
/// come back as pointers and are copied, never freed. Nothing here checks errors: callers go
/// through <see cref="OpenSlideImage"/>, which holds a reference on the handle for the whole call
/// and reads <c>openslide_get_error</c> after it.
/// </summary>
/// <remarks>
/// The entry points marked "OpenSlide 4.0" are missing from 3.x. They bind lazily, on first call,
/// so declaring them is harmless; <see cref="OpenSlideLibrary"/> probes them with
/// <see cref="NativeLibrary.TryGetExport"/> and nothing calls them unless the probe succeeded.
/// </remarks>
internal static unsafe partial class OpenSlideMethods
{
    // ---- Present since OpenSlide 3.4.0 (the oldest version this binding accepts) ----

    internal const string DetectVendorName = "openslide_detect_vendor";
    internal const string OpenName = "openslide_open";
    internal const string GetLevelCountName = "openslide_get_level_count";
    internal const string GetLevelDimensionsName = "openslide_get_level_dimensions";
    internal const string GetLevelDownsampleName = "openslide_get_level_downsample";
    internal const string GetBestLevelForDownsampleName = "openslide_get_best_level_for_downsample";
    internal const string ReadRegionName = "openslide_read_region";
    internal const string CloseName = "openslide_close";
    internal const string GetErrorName = "openslide_get_error";
    internal const string GetPropertyNamesName = "openslide_get_property_names";
    internal const string GetPropertyValueName = "openslide_get_property_value";
    internal const string GetAssociatedImageNamesName = "openslide_get_associated_image_names";
    internal const string GetAssociatedImageDimensionsName = "openslide_get_associated_image_dimensions";
    internal const string ReadAssociatedImageName = "openslide_read_associated_image";
    internal const string GetVersionName = "openslide_get_version";

    // ---- OpenSlide 4.0 ----

    internal const string CacheCreateName = "openslide_cache_create";
    internal const string SetCacheName = "openslide_set_cache";
    internal const string CacheReleaseName = "openslide_cache_release";
    internal const string GetIccProfileSizeName = "openslide_get_icc_profile_size";
    internal const string ReadIccProfileName = "openslide_read_icc_profile";
    internal const string GetAssociatedImageIccProfileSizeName = "openslide_get_associated_image_icc_profile_size";
    internal const string ReadAssociatedImageIccProfileName = "openslide_read_associated_image_icc_profile";

    /// <summary>Every export the binding needs; a library lacking one is reported unavailable.</summary>
    internal static readonly string[] Required =
    [
        DetectVendorName, OpenName, GetLevelCountName, GetLevelDimensionsName, GetLevelDownsampleName,
        GetBestLevelForDownsampleName, ReadRegionName, CloseName, GetErrorName, GetPropertyNamesName,
        GetPropertyValueName, GetAssociatedImageNamesName, GetAssociatedImageDimensionsName,
        ReadAssociatedImageName, GetVersionName,
    ];

    /// <summary>The exports behind <see cref="OpenSlideImage.SupportsCache"/>.</summary>
    internal static readonly string[] CacheExports = [CacheCreateName, SetCacheName, CacheReleaseName];

    /// <summary>The exports behind <see cref="OpenSlideImage.SupportsIcc"/>.</summary>
    internal static readonly string[] IccExports =
    [
        GetIccProfileSizeName, ReadIccProfileName, GetAssociatedImageIccProfileSizeName, ReadAssociatedImageIccProfileName,
    ];

    /// <summary><c>const char *openslide_detect_vendor(const char *filename)</c>; NULL when not recognised.</summary>
    [LibraryImport(ReferenceLibraries.OpenSlide, EntryPoint = DetectVendorName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr DetectVendor(string filename);

    /// <summary><c>openslide_t *openslide_open(const char *filename)</c>; NULL when not recognised, else a handle, possibly in error state.</summary>
    [LibraryImport(ReferenceLibraries.OpenSlide, EntryPoint = OpenName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr Open(string filename);

    /// <summary><c>int32_t openslide_get_level_count(openslide_t *osr)</c>; -1 on error.</summary>
    [LibraryImport(ReferenceLibraries.OpenSlide, EntryPoint = GetLevelCountName)]
    internal static partial int GetLevelCount(IntPtr osr);

    /// <summary><c>void openslide_get_level_dimensions(openslide_t *osr, int32_t level, int64_t *w, int64_t *h)</c>; -1 on error or a bad level.</summary>
    [LibraryImport(ReferenceLibraries.OpenSlide, EntryPoint = GetLevelDimensionsName)]
    internal static partial void GetLevelDimensions(IntPtr osr, int level, out long width, out long height);

    /// <summary><c>double openslide_get_level_downsample(openslide_t *osr, int32_t level)</c>; -1.0 on error or a bad level.</summary>
    [LibraryImport(ReferenceLibraries.OpenSlide, EntryPoint = GetLevelDownsampleName)]
    internal static partial double GetLevelDownsample(IntPtr osr, int level);

    /// <summary><c>int32_t openslide_get_best_level_for_downsample(openslide_t *osr, double downsample)</c>; -1 on error.</summary>
    [LibraryImport(ReferenceLibraries.OpenSlide, EntryPoint = GetBestLevelForDownsampleName)]
    internal static partial int GetBestLevelForDownsample(IntPtr osr, double downsample);

    /// <summary>
    /// <c>void openslide_read_region(openslide_t *osr, uint32_t *dest, int64_t x, int64_t y, int32_t level, int64_t w, int64_t h)</c>:
    /// premultiplied ARGB, native-endian, <paramref name="x"/> and <paramref name="y"/> in level-0 coordinates.
    /// A negative size puts the handle into its (terminal) error state.
    /// </summary>
    [LibraryImport(ReferenceLibraries.OpenSlide, EntryPoint = ReadRegionName)]
    internal static partial void ReadRegion(IntPtr osr, uint* destination, long x, long y, int level, long width, long height);

    /// <summary><c>void openslide_close(openslide_t *osr)</c>; no other thread may be inside a call.</summary>
    [LibraryImport(ReferenceLibraries.OpenSlide, EntryPoint = CloseName)]
    internal static partial void Close(IntPtr osr);

    /// <summary><c>const char *openslide_get_error(openslide_t *osr)</c>; NULL while healthy.</summary>
    [LibraryImport(ReferenceLibraries.OpenSlide, EntryPoint = GetErrorName)]
    internal static partial IntPtr GetError(IntPtr osr);

    /// <summary><c>const char * const *openslide_get_property_names(openslide_t *osr)</c>: NULL-terminated.</summary>
    [LibraryImport(ReferenceLibraries.OpenSlide, EntryPoint = GetPropertyNamesName)]
    internal static partial byte** GetPropertyNames(IntPtr osr);

    /// <summary><c>const char *openslide_get_property_value(openslide_t *osr, const char *name)</c>; NULL when absent.</summary>
    [LibraryImport(ReferenceLibraries.OpenSlide, EntryPoint = GetPropertyValueName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr GetPropertyValue(IntPtr osr, string name);

    /// <summary><c>const char * const *openslide_get_associated_image_names(openslide_t *osr)</c>: NULL-terminated.</summary>
    [LibraryImport(ReferenceLibraries.OpenSlide, EntryPoint = GetAssociatedImageNamesName)]
    internal static partial byte** GetAssociatedImageNames(IntPtr osr);

    /// <summary><c>void openslide_get_associated_image_dimensions(openslide_t *osr, const char *name, int64_t *w, int64_t *h)</c>; -1 when absent.</summary>
    [LibraryImport(ReferenceLibraries.OpenSlide, EntryPoint = GetAssociatedImageDimensionsName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void GetAssociatedImageDimensions(IntPtr osr, string name, out long width, out long height);

    /// <summary><c>void openslide_read_associated_image(openslide_t *osr, const char *name, uint32_t *dest)</c>: premultiplied ARGB.</summary>
    [LibraryImport(ReferenceLibraries.OpenSlide, EntryPoint = ReadAssociatedImageName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void ReadAssociatedImage(IntPtr osr, string name, uint* destination);

    /// <summary><c>const char *openslide_get_version(void)</c>.</summary>
    [LibraryImport(ReferenceLibraries.OpenSlide, EntryPoint = GetVersionName)]
    internal static partial IntPtr GetVersion();

    /// <summary>OpenSlide 4.0: <c>openslide_cache_t *openslide_cache_create(size_t capacity)</c>.</summary>
    [LibraryImport(ReferenceLibraries.OpenSlide, EntryPoint = CacheCreateName)]
    internal static partial IntPtr CacheCreate(nuint capacity);

    /// <summary>OpenSlide 4.0: <c>void openslide_set_cache(openslide_t *osr, openslide_cache_t *cache)</c>; the slide keeps its own reference.</summary>
    [LibraryImport(ReferenceLibraries.OpenSlide, EntryPoint = SetCacheName)]
    internal static partial void SetCache(IntPtr osr, IntPtr cache);

    /// <summary>OpenSlide 4.0: <c>void openslide_cache_release(openslide_cache_t *cache)</c>.</summary>
    [LibraryImport(ReferenceLibraries.OpenSlide, EntryPoint = CacheReleaseName)]
    internal static partial void CacheRelease(IntPtr cache);

    /// <summary>OpenSlide 4.0: <c>int64_t openslide_get_icc_profile_size(openslide_t *osr)</c>; 0 when none, -1 on error.</summary>
    [LibraryImport(ReferenceLibraries.OpenSlide, EntryPoint = GetIccProfileSizeName)]
    internal static partial long GetIccProfileSize(IntPtr osr);

    /// <summary>OpenSlide 4.0: <c>void openslide_read_icc_profile(openslide_t *osr, void *dest)</c>.</summary>
    [LibraryImport(ReferenceLibraries.OpenSlide, EntryPoint = ReadIccProfileName)]
    internal static partial void ReadIccProfile(IntPtr osr, byte* destination);

    /// <summary>OpenSlide 4.0: <c>int64_t openslide_get_associated_image_icc_profile_size(openslide_t *osr, const char *name)</c>.</summary>
    [LibraryImport(ReferenceLibraries.OpenSlide, EntryPoint = GetAssociatedImageIccProfileSizeName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial long GetAssociatedImageIccProfileSize(IntPtr osr, string name);

    /// <summary>OpenSlide 4.0: <c>void openslide_read_associated_image_icc_profile(openslide_t *osr, const char *name, void *dest)</c>.</summary>
    [LibraryImport(ReferenceLibraries.OpenSlide, EntryPoint = ReadAssociatedImageIccProfileName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void ReadAssociatedImageIccProfile(IntPtr osr, string name, byte* destination);

    /// <summary>Copies a NULL-terminated <c>const char * const *</c> array owned by OpenSlide.</summary>
    internal static string[] CopyStringArray(byte** array)
    {
        if (array is null)
        {
            return [];
        }

        var names = new List<string>();
        for (byte** p = array; *p is not null; p++)
        {
            names.Add(Marshal.PtrToStringUTF8((IntPtr)(*p)) ?? string.Empty);
        }

        return [.. names];
    }

    /// <summary>Copies a <c>const char*</c> owned by OpenSlide; NULL gives null.</summary>
    internal static string? CopyString(IntPtr text) => text == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(text);
}
