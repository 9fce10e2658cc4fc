/* zlib-wrapped deflate through libdeflate (measured faster than .NET's ZLibStream). */
#include "wsi_native.h"

#include <stdlib.h>

#ifdef WSI_HAVE_LIBDEFLATE
#include <libdeflate.h>

int wsi_has_libdeflate(void) { return 1; }

wsi_inflater *wsi_inflater_create(void) {
  return (wsi_inflater *)libdeflate_alloc_decompressor();
}

void wsi_inflater_destroy(wsi_inflater *inflater) {
  if (inflater) libdeflate_free_decompressor((struct libdeflate_decompressor *)inflater);
}

int wsi_zlib_decompress(wsi_inflater *inflater, const uint8_t *in, size_t in_len, uint8_t *out,
                        size_t out_len, size_t *written) {
  if (!inflater || !in || !out || !written) return WSI_ERR_ARGUMENT;
  size_t actual = 0;
  enum libdeflate_result r = libdeflate_zlib_decompress(
      (struct libdeflate_decompressor *)inflater, in, in_len, out, out_len, &actual);
  *written = actual;
  switch (r) {
  case LIBDEFLATE_SUCCESS: return WSI_OK;
  case LIBDEFLATE_INSUFFICIENT_SPACE: return WSI_ERR_SHORT;
  default: return WSI_ERR_DEFLATE;
  }
}
#else
int wsi_has_libdeflate(void) { return 0; }
wsi_inflater *wsi_inflater_create(void) { return NULL; }
void wsi_inflater_destroy(wsi_inflater *inflater) { (void)inflater; }
int wsi_zlib_decompress(wsi_inflater *inflater, const uint8_t *in, size_t in_len, uint8_t *out,
                        size_t out_len, size_t *written) {
  (void)inflater; (void)in; (void)in_len; (void)out; (void)out_len; (void)written;
  return WSI_ERR_UNAVAILABLE;
}
#endif
