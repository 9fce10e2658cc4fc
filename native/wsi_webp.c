/*
 * WebP tiles (TIFF compression 50001, as libtiff and GDAL write them) through libwebp.
 * libtiff stores one complete WebP file (RIFF) per tile, lossy or lossless, RGB for 3
 * samples per pixel and RGBA for 4. The header is read first so that a WebP larger
 * than the tile is refused before anything is decoded.
 */
#include "wsi_native.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put_text(char *message, int message_len, const char *text) {
  if (message && message_len > 0) snprintf(message, (size_t)message_len, "%s", text);
}

#ifdef WSI_HAVE_LIBWEBP
#include <webp/decode.h>
#include <webp/encode.h>

int wsi_has_libwebp(void) { return WebPGetDecoderVersion(); }

int wsi_webp_decode(const uint8_t *data, size_t data_len, int channels,
                    uint8_t *dst, size_t dst_len, size_t stride,
                    int max_width, int max_height,
                    int *out_width, int *out_height, int *out_has_alpha,
                    char *message, int message_len) {
  if (out_width) *out_width = 0;
  if (out_height) *out_height = 0;
  if (out_has_alpha) *out_has_alpha = 0;
  put_text(message, message_len, "");
  if (!data || !dst || !out_width || !out_height || !out_has_alpha || (channels != 3 && channels != 4) ||
      max_width <= 0 || max_height <= 0) {
    put_text(message, message_len, "invalid argument");
    return WSI_ERR_ARGUMENT;
  }

  WebPBitstreamFeatures features;
  VP8StatusCode vs = WebPGetFeatures(data, data_len, &features);
  if (vs != VP8_STATUS_OK) {
    char text[96];
    snprintf(text, sizeof text, "not a WebP image (libwebp status %d)", (int)vs);
    put_text(message, message_len, text);
    return WSI_ERR_WEBP;
  }
  *out_width = features.width;
  *out_height = features.height;
  *out_has_alpha = features.has_alpha;
  if (features.width <= 0 || features.height <= 0 || features.width > max_width || features.height > max_height) {
    char text[128];
    snprintf(text, sizeof text, "WebP image is %dx%d, larger than the %dx%d tile", features.width, features.height,
             max_width, max_height);
    put_text(message, message_len, text);
    return WSI_ERR_SIZE;
  }
  size_t row_bytes = (size_t)features.width * (size_t)channels;
  if (row_bytes > stride || (size_t)(features.height - 1) * stride + row_bytes > dst_len) {
    put_text(message, message_len, "destination too small for the WebP image");
    return WSI_ERR_SIZE;
  }
  /* libwebp checks stride * height against the size it is given; the last row may be short of a stride */
  size_t given = (size_t)features.height * stride;
  if (given > dst_len) given = dst_len;
  uint8_t *r = channels == 4 ? WebPDecodeRGBAInto(data, data_len, dst, given, (int)stride)
                             : WebPDecodeRGBInto(data, data_len, dst, given, (int)stride);
  if (!r && given < (size_t)features.height * stride) {
    /* libwebp wants whole strides: decode all but the last row's padding through a full-height scratch */
    uint8_t *scratch = (uint8_t *)malloc((size_t)features.height * row_bytes);
    if (!scratch) {
      put_text(message, message_len, "out of memory");
      return WSI_ERR_ARGUMENT;
    }
    r = channels == 4 ? WebPDecodeRGBAInto(data, data_len, scratch, (size_t)features.height * row_bytes, (int)row_bytes)
                      : WebPDecodeRGBInto(data, data_len, scratch, (size_t)features.height * row_bytes, (int)row_bytes);
    if (r) {
      for (int y = 0; y < features.height; y++) memcpy(dst + (size_t)y * stride, scratch + (size_t)y * row_bytes, row_bytes);
    }
    free(scratch);
  }
  if (!r) {
    put_text(message, message_len, "libwebp could not decode the image (corrupt or truncated)");
    return WSI_ERR_WEBP;
  }
  return WSI_OK;
}

int wsi_webp_encode(const uint8_t *pixels, int width, int height, size_t stride, int channels, int quality,
                    uint8_t **out, size_t *out_len, char *message, int message_len) {
  if (out) *out = NULL;
  if (out_len) *out_len = 0;
  put_text(message, message_len, "");
  if (!pixels || !out || !out_len || width <= 0 || height <= 0 || (channels != 3 && channels != 4) ||
      stride < (size_t)width * (size_t)channels || stride > 0x7fffffff) {
    put_text(message, message_len, "invalid argument");
    return WSI_ERR_ARGUMENT;
  }
  uint8_t *encoded = NULL;
  size_t n;
  if (quality < 0) {
    n = channels == 4 ? WebPEncodeLosslessRGBA(pixels, width, height, (int)stride, &encoded)
                      : WebPEncodeLosslessRGB(pixels, width, height, (int)stride, &encoded);
  } else {
    n = channels == 4 ? WebPEncodeRGBA(pixels, width, height, (int)stride, (float)quality, &encoded)
                      : WebPEncodeRGB(pixels, width, height, (int)stride, (float)quality, &encoded);
  }
  if (n == 0 || !encoded) {
    put_text(message, message_len, "libwebp could not encode the image");
    return WSI_ERR_WEBP;
  }
  /* copied into malloc'ed memory so that wsi_free releases every shim output alike */
  uint8_t *copy = (uint8_t *)malloc(n);
  if (!copy) {
    WebPFree(encoded);
    put_text(message, message_len, "out of memory");
    return WSI_ERR_ARGUMENT;
  }
  memcpy(copy, encoded, n);
  WebPFree(encoded);
  *out = copy;
  *out_len = n;
  return WSI_OK;
}

#else

int wsi_has_libwebp(void) { return 0; }

int wsi_webp_decode(const uint8_t *data, size_t data_len, int channels,
                    uint8_t *dst, size_t dst_len, size_t stride,
                    int max_width, int max_height,
                    int *out_width, int *out_height, int *out_has_alpha,
                    char *message, int message_len) {
  (void)data; (void)data_len; (void)channels; (void)dst; (void)dst_len; (void)stride;
  (void)max_width; (void)max_height; (void)out_width; (void)out_height; (void)out_has_alpha;
  put_text(message, message_len, "wsinative was built without libwebp");
  return WSI_ERR_UNAVAILABLE;
}

int wsi_webp_encode(const uint8_t *pixels, int width, int height, size_t stride, int channels, int quality,
                    uint8_t **out, size_t *out_len, char *message, int message_len) {
  (void)pixels; (void)width; (void)height; (void)stride; (void)channels; (void)quality;
  if (out) *out = NULL;
  if (out_len) *out_len = 0;
  put_text(message, message_len, "wsinative was built without libwebp");
  return WSI_ERR_UNAVAILABLE;
}

#endif
