/*
 * wsinative: the thin C shim between the .NET reader and libjpeg-turbo / libdeflate.
 *
 * Why a shim at all: TurboJPEG 2.1 cannot force the JPEG colour space, and TIFF
 * decides it (Aperio tiles are RGB-coded although libjpeg would guess YCbCr).
 * The libjpeg API can, but it reports errors through longjmp, which must never
 * cross into managed code. Every entry point here returns a status code and
 * leaves a message in the handle instead.
 */
#ifndef WSI_NATIVE_H
#define WSI_NATIVE_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define WSI_API __declspec(dllexport)
#else
#define WSI_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever a signature below changes; the managed side checks it. */
#define WSI_ABI_VERSION 3

enum wsi_status {
  WSI_OK = 0,
  WSI_ERR_JPEG = 1,        /* libjpeg reported an error or a corrupt-data warning */
  WSI_ERR_ARGUMENT = 2,    /* a buffer or dimension passed in is unusable */
  WSI_ERR_SIZE = 3,        /* the image does not fit the destination */
  WSI_ERR_DEFLATE = 4,     /* libdeflate: bad data */
  WSI_ERR_SHORT = 5,       /* libdeflate: output larger than the buffer (bomb guard) */
  WSI_ERR_UNAVAILABLE = 6  /* built without that library */
};

/* JPEG colour space as stated by the TIFF tags; libjpeg is never left to guess. */
enum wsi_jpeg_colorspace {
  WSI_CS_GRAY = 1,   /* one component */
  WSI_CS_RGB = 2,    /* three components, no transform (Aperio, Photometric=RGB) */
  WSI_CS_YCBCR = 3,  /* three components, YCbCr -> RGB */
  WSI_CS_RAW = 4     /* any component count, passed through unchanged */
};

/* Output pixel layouts. */
enum wsi_jpeg_output {
  WSI_OUT_COMPONENTS = 0, /* the colour space's own components (1 for gray, 3, or N raw) */
  WSI_OUT_RGB = 1,        /* 3 bytes per pixel */
  WSI_OUT_RGBA = 2        /* 4 bytes per pixel, alpha 255 */
};

typedef struct wsi_jpeg wsi_jpeg;

WSI_API int wsi_abi_version(void);
WSI_API int wsi_libjpeg_version(void);
WSI_API int wsi_has_libdeflate(void);

WSI_API wsi_jpeg *wsi_jpeg_create(void);
WSI_API void wsi_jpeg_destroy(wsi_jpeg *decoder);
/* The message of the last failed call on this handle (empty after success). */
WSI_API const char *wsi_jpeg_message(const wsi_jpeg *decoder);

/*
 * Decodes one (possibly abbreviated) JPEG stream. 'tables' (may be NULL) is a
 * tables-only stream such as TIFF JPEGTables and is loaded first; the image may
 * define or override tables of its own. Default libjpeg-turbo processing: ISLOW
 * IDCT and fancy upsampling. Rows are written 'stride' bytes apart into 'dst'.
 * The decoded size is returned in out_width / out_height / out_components; the
 * image must not be larger than max_width x max_height.
 */
WSI_API int wsi_jpeg_decode(wsi_jpeg *decoder,
                            const uint8_t *tables, size_t tables_len,
                            const uint8_t *data, size_t data_len,
                            int colorspace, int output,
                            uint8_t *dst, size_t dst_len, size_t stride,
                            int max_width, int max_height,
                            int *out_width, int *out_height, int *out_components);

/*
 * Encoder for the synthetic slide writer and tests. 'components' is 1 (gray) or
 * 3 (RGB input). colorspace WSI_CS_YCBCR subsamples luma h_samp x v_samp;
 * WSI_CS_RGB stores RGB unconverted with component ids 0,1,2 and no Adobe
 * marker, as Aperio scanners do. abbreviated != 0 omits the tables (they then
 * come from wsi_jpeg_encode_tables with the same quality and colour space).
 * The output is malloc'ed; release it with wsi_free.
 */
WSI_API int wsi_jpeg_encode(const uint8_t *pixels, int width, int height, size_t stride,
                            int components, int colorspace, int quality,
                            int h_samp, int v_samp, int restart_interval, int abbreviated,
                            uint8_t **out, size_t *out_len, char *message, int message_len);
WSI_API int wsi_jpeg_encode_tables(int components, int colorspace, int quality,
                                   uint8_t **out, size_t *out_len, char *message, int message_len);
WSI_API void wsi_free(void *p);

typedef struct wsi_inflater wsi_inflater;
WSI_API wsi_inflater *wsi_inflater_create(void);
WSI_API void wsi_inflater_destroy(wsi_inflater *inflater);
/* zlib-wrapped deflate (TIFF compression 8 and 32946) into a buffer of known size. */
WSI_API int wsi_zlib_decompress(wsi_inflater *inflater, const uint8_t *in, size_t in_len,
                                uint8_t *out, size_t out_len, size_t *written);

#ifdef __cplusplus
}
#endif
#endif
