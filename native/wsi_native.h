/*
 * wsinative: the thin C shim between the .NET reader and libjpeg-turbo / libdeflate
 * (and, when found at build time, OpenJPEG and libwebp).
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
#define WSI_ABI_VERSION 5

enum wsi_status {
  WSI_OK = 0,
  WSI_ERR_JPEG = 1,        /* libjpeg reported an error or a corrupt-data warning */
  WSI_ERR_ARGUMENT = 2,    /* a buffer or dimension passed in is unusable */
  WSI_ERR_SIZE = 3,        /* the image does not fit the destination */
  WSI_ERR_DEFLATE = 4,     /* libdeflate: bad data */
  WSI_ERR_SHORT = 5,       /* libdeflate: output larger than the buffer (bomb guard) */
  WSI_ERR_UNAVAILABLE = 6, /* built without that library */
  WSI_ERR_J2K = 7,         /* OpenJPEG reported an error (message says which) */
  WSI_ERR_WEBP = 8,        /* libwebp: not a WebP, corrupt or truncated */
  WSI_ERR_UNSUPPORTED = 9  /* a valid image of a kind the reader does not decode */
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
 * scale_denom (1, 2, 4 or 8) decodes at 1/scale_denom with libjpeg's DCT scaling
 * (reduced-size IDCTs), as OpenSlide does for NDPI's extra levels.
 * The decoded size is returned in out_width / out_height / out_components; the
 * decoded image must not be larger than max_width x max_height.
 */
WSI_API int wsi_jpeg_decode(wsi_jpeg *decoder,
                            const uint8_t *tables, size_t tables_len,
                            const uint8_t *data, size_t data_len,
                            int colorspace, int output, int scale_denom,
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

/*
 * JPEG 2000 (wsi_j2k.c; WSI_HAVE_OPENJPEG). wsi_has_openjpeg is 0 without OpenJPEG, and then
 * every call below returns WSI_ERR_UNAVAILABLE.
 */
WSI_API int wsi_has_openjpeg(void);
WSI_API const char *wsi_openjpeg_version(void);

/*
 * Decodes a raw J2K codestream, or a JP2 file when it starts with the JP2 signature, of exactly
 * 3 unsigned 8-bit components into 'dst' as interleaved bytes, 'channels' (3, or 4 with alpha 255)
 * per pixel, rows 'stride' bytes apart; only the rows that fit dst_len are written. Components are
 * written as coded (no colour conversion); subsampled ones are replicated with the factor image
 * width / component width (and likewise for height). The image (x1 - x0 by y1 - y0) must not be
 * larger than max_width x max_height: that, the component count and the number of codestream
 * tiles (at most 1024) are checked from the SIZ segment before OpenJPEG parses anything, since
 * its header parsing allocates per codestream tile. out_* report the header's size and component count (also on failure
 * after the header). Errors: status plus a message in 'message' (message_len bytes, NUL-terminated).
 */
WSI_API int wsi_j2k_decode(const uint8_t *data, size_t data_len, int channels,
                           uint8_t *dst, size_t dst_len, size_t stride,
                           int max_width, int max_height,
                           int *out_width, int *out_height, int *out_components,
                           char *message, int message_len);

/*
 * Encoder for the synthetic slide writer and tests: 3 interleaved 8-bit components (RGB, or YCbCr
 * already converted by the caller), components 1 and 2 subsampled sub_x x sub_y (1 or 2, box mean).
 * mct != 0 applies the codestream's colour transform (RGB input, no subsampling; Aperio 33005).
 * rate > 0: irreversible 9/7 at that compression ratio; 0: lossless 5/3. jp2 != 0 wraps it in JP2.
 * The output is malloc'ed; release it with wsi_free.
 */
WSI_API int wsi_j2k_encode(const uint8_t *pixels, int width, int height, size_t stride,
                           int sub_x, int sub_y, int mct, int rate, int jp2,
                           uint8_t **out, size_t *out_len, char *message, int message_len);

/* WebP (wsi_webp.c; WSI_HAVE_LIBWEBP). libwebp's decoder version, 0 without libwebp. */
WSI_API int wsi_has_libwebp(void);

/*
 * Decodes one WebP file into 'dst' as RGB (channels 3) or RGBA (channels 4; opaque images get
 * alpha 255), rows 'stride' bytes apart. The image must not be larger than max_width x max_height
 * (checked from the header before decoding). out_has_alpha: whether the WebP carries alpha.
 */
WSI_API int wsi_webp_decode(const uint8_t *data, size_t data_len, int channels,
                            uint8_t *dst, size_t dst_len, size_t stride,
                            int max_width, int max_height,
                            int *out_width, int *out_height, int *out_has_alpha,
                            char *message, int message_len);

/* Encodes RGB (channels 3) or RGBA (4): quality 0..100 lossy, or < 0 lossless. Release with wsi_free. */
WSI_API int wsi_webp_encode(const uint8_t *pixels, int width, int height, size_t stride, int channels, int quality,
                            uint8_t **out, size_t *out_len, char *message, int message_len);

#ifdef __cplusplus
}
#endif
#endif
