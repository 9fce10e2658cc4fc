/*
 * JPEG 2000 (Aperio 33003 / 33005 tiles) through OpenJPEG 2.5.
 *
 * OpenJPEG has no memory stream, so the codestream is read through callbacks over
 * the caller's buffer. Its error and warning callbacks are installed on every codec:
 * the error text lands in the caller's message buffer and nothing is printed.
 * Colour stays as coded: 33003's YCbCr -> RGB conversion is the managed codec's job,
 * so the arithmetic that must match OpenSlide lives in one place.
 */
#include "wsi_native.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put_message(char *message, int message_len, const char *text) {
  if (message && message_len > 0) snprintf(message, (size_t)message_len, "%s", text);
}

#ifdef WSI_HAVE_OPENJPEG
#include <openjpeg.h>

int wsi_has_openjpeg(void) { return 1; }
const char *wsi_openjpeg_version(void) { return opj_version(); }

/* ---- reading from the caller's buffer ---- */

struct mem_in {
  const uint8_t *data;
  size_t length;
  size_t offset;
};

static OPJ_SIZE_T in_read(void *buf, OPJ_SIZE_T count, void *user) {
  struct mem_in *s = (struct mem_in *)user;
  size_t left = s->length - s->offset;
  if (left == 0) return (OPJ_SIZE_T)-1;
  if (count > left) count = left;
  memcpy(buf, s->data + s->offset, count);
  s->offset += count;
  return count;
}

static OPJ_OFF_T in_skip(OPJ_OFF_T count, void *user) {
  struct mem_in *s = (struct mem_in *)user;
  if (count < 0) {
    if ((size_t)(-count) > s->offset) return -1;
    s->offset -= (size_t)(-count);
    return count;
  }
  size_t left = s->length - s->offset;
  if ((OPJ_UINT64)count > left) count = (OPJ_OFF_T)left;
  s->offset += (size_t)count;
  return count;
}

static OPJ_BOOL in_seek(OPJ_OFF_T offset, void *user) {
  struct mem_in *s = (struct mem_in *)user;
  if (offset < 0 || (OPJ_UINT64)offset > s->length) return OPJ_FALSE;
  s->offset = (size_t)offset;
  return OPJ_TRUE;
}

/* ---- messages: the first error wins, warnings are dropped ---- */

struct sink {
  char *message;
  int message_len;
  int has_error;
};

static void on_error(const char *msg, void *user) {
  struct sink *k = (struct sink *)user;
  if (k->has_error) return;
  k->has_error = 1;
  if (k->message && k->message_len > 0) {
    snprintf(k->message, (size_t)k->message_len, "OpenJPEG: %s", msg);
    /* OpenJPEG ends its messages with a newline */
    size_t n = strlen(k->message);
    while (n > 0 && (k->message[n - 1] == '\n' || k->message[n - 1] == '\r')) k->message[--n] = 0;
  }
}

static void on_quiet(const char *msg, void *user) { (void)msg; (void)user; }

static const uint8_t jp2_signature[12] = {0, 0, 0, 12, 'j', 'P', ' ', ' ', 0x0d, 0x0a, 0x87, 0x0a};

static uint32_t be32(const uint8_t *p) { return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3]; }

/* Most codestream tiles an image no larger than a TIFF tile may be cut into. Scanners write one. */
#define WSI_J2K_MAX_CODESTREAM_TILES 1024

/*
 * Checks the SIZ segment before OpenJPEG sees it: opj_read_header allocates per codestream tile and per
 * component from SIZ alone (a 256x256 image in 1x1 codestream tiles would cost hundreds of MB), so the image
 * size, the codestream tile count and the component count are bounded here first. 'cs' is the codestream
 * (after any JP2 boxes). Returns WSI_OK when SIZ is absent from where it must be: OpenJPEG then reports it.
 */
static int check_siz(const uint8_t *cs, size_t len, int max_width, int max_height, int *out_width,
                     int *out_height, int *out_components, char *message, int message_len) {
  if (len < 42 || cs[0] != 0xFF || cs[1] != 0x4F || cs[2] != 0xFF || cs[3] != 0x51) return WSI_OK;
  uint32_t xsiz = be32(cs + 8), ysiz = be32(cs + 12), xo = be32(cs + 16), yo = be32(cs + 20);
  uint32_t xt = be32(cs + 24), yt = be32(cs + 28), xto = be32(cs + 32), yto = be32(cs + 36);
  unsigned csiz = ((unsigned)cs[40] << 8) | cs[41];
  char text[160];
  if (xsiz <= xo || ysiz <= yo || xt == 0 || yt == 0 || xto > xo || yto > yo) {
    snprintf(text, sizeof text, "OpenJPEG: invalid SIZ (image %u..%u x %u..%u, codestream tiles %ux%u)", xo, xsiz, yo,
             ysiz, xt, yt);
    put_message(message, message_len, text);
    return WSI_ERR_J2K;
  }
  uint32_t w = xsiz - xo, h = ysiz - yo;
  *out_width = (int)(w > 0x7fffffff ? 0x7fffffff : w);
  *out_height = (int)(h > 0x7fffffff ? 0x7fffffff : h);
  *out_components = (int)csiz;
  if (w > (uint32_t)max_width || h > (uint32_t)max_height) {
    snprintf(text, sizeof text, "codestream image is %ux%u, larger than the %dx%d tile", w, h, max_width, max_height);
    put_message(message, message_len, text);
    return WSI_ERR_SIZE;
  }
  if (csiz != 3) {
    snprintf(text, sizeof text, "codestream has %u components, 3 expected", csiz);
    put_message(message, message_len, text);
    return WSI_ERR_UNSUPPORTED;
  }
  uint64_t across = ((uint64_t)(xsiz - xto) + xt - 1) / xt, down = ((uint64_t)(ysiz - yto) + yt - 1) / yt;
  if (across * down > WSI_J2K_MAX_CODESTREAM_TILES) {
    snprintf(text, sizeof text, "codestream is cut into %llu tiles of %ux%u (at most %d accepted)",
             (unsigned long long)(across * down), xt, yt, WSI_J2K_MAX_CODESTREAM_TILES);
    put_message(message, message_len, text);
    return WSI_ERR_UNSUPPORTED;
  }
  return WSI_OK;
}

/* The codestream inside a JP2 file: the contents of its 'jp2c' box, or NULL. */
static const uint8_t *jp2_codestream(const uint8_t *data, size_t len, size_t *cs_len) {
  size_t at = 0;
  while (len - at >= 8) {
    uint64_t box = be32(data + at);
    size_t header = 8;
    if (box == 1) {
      if (len - at < 16) return NULL;
      box = ((uint64_t)be32(data + at + 8) << 32) | be32(data + at + 12);
      header = 16;
    } else if (box == 0) {
      box = len - at;
    }
    if (box < header || box > len - at) return NULL;
    if (memcmp(data + at + 4, "jp2c", 4) == 0) {
      *cs_len = (size_t)box - header;
      return data + at + header;
    }
    at += (size_t)box;
  }
  return NULL;
}

int wsi_j2k_decode(const uint8_t *data, size_t data_len, int channels,
                   uint8_t *dst, size_t dst_len, size_t stride,
                   int max_width, int max_height,
                   int *out_width, int *out_height, int *out_components,
                   char *message, int message_len) {
  if (out_width) *out_width = 0;
  if (out_height) *out_height = 0;
  if (out_components) *out_components = 0;
  put_message(message, message_len, "");
  if (!data || !dst || !out_width || !out_height || !out_components || (channels != 3 && channels != 4) ||
      max_width <= 0 || max_height <= 0) {
    put_message(message, message_len, "invalid argument");
    return WSI_ERR_ARGUMENT;
  }

  int jp2 = data_len >= sizeof jp2_signature && memcmp(data, jp2_signature, sizeof jp2_signature) == 0;
  size_t cs_len = data_len;
  const uint8_t *cs = jp2 ? jp2_codestream(data, data_len, &cs_len) : data;
  if (cs) {
    int checked = check_siz(cs, cs_len, max_width, max_height, out_width, out_height, out_components, message, message_len);
    if (checked != WSI_OK) return checked;
  }
  struct mem_in in = {data, data_len, 0};
  struct sink sink = {message, message_len, 0};
  int status = WSI_OK;
  opj_image_t *image = NULL;

  opj_stream_t *stream = opj_stream_create(data_len < 65536 ? (OPJ_SIZE_T)(data_len ? data_len : 1) : 65536, OPJ_TRUE);
  opj_codec_t *codec = opj_create_decompress(jp2 ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K);
  if (!stream || !codec) {
    put_message(message, message_len, "OpenJPEG: out of memory");
    status = WSI_ERR_ARGUMENT;
    goto done;
  }
  opj_stream_set_user_data(stream, &in, NULL);
  opj_stream_set_user_data_length(stream, (OPJ_UINT64)data_len);
  opj_stream_set_read_function(stream, in_read);
  opj_stream_set_skip_function(stream, in_skip);
  opj_stream_set_seek_function(stream, in_seek);

  opj_set_info_handler(codec, on_quiet, NULL);
  opj_set_warning_handler(codec, on_quiet, NULL);
  opj_set_error_handler(codec, on_error, &sink);

  opj_dparameters_t parameters;
  opj_set_default_decoder_parameters(&parameters);
  if (!opj_setup_decoder(codec, &parameters)) {
    if (!sink.has_error) put_message(message, message_len, "OpenJPEG: decoder setup failed");
    status = WSI_ERR_J2K;
    goto done;
  }

  if (!opj_read_header(stream, codec, &image) || !image) {
    if (!sink.has_error) put_message(message, message_len, "OpenJPEG: cannot read the codestream header");
    status = WSI_ERR_J2K;
    goto done;
  }

  /* Everything is checked against the tile before opj_decode allocates the image. */
  long long width = (long long)image->x1 - (long long)image->x0;
  long long height = (long long)image->y1 - (long long)image->y0;
  *out_width = (int)(width > 0x7fffffff ? 0x7fffffff : width);
  *out_height = (int)(height > 0x7fffffff ? 0x7fffffff : height);
  *out_components = (int)image->numcomps;
  if (width <= 0 || height <= 0 || width > max_width || height > max_height) {
    char text[160];
    snprintf(text, sizeof text, "codestream image is %lldx%lld, larger than the %dx%d tile", width, height, max_width,
             max_height);
    put_message(message, message_len, text);
    status = WSI_ERR_SIZE;
    goto done;
  }
  if (image->numcomps != 3) {
    char text[96];
    snprintf(text, sizeof text, "codestream has %u components, 3 expected", image->numcomps);
    put_message(message, message_len, text);
    status = WSI_ERR_UNSUPPORTED;
    goto done;
  }
  for (int c = 0; c < 3; c++) {
    opj_image_comp_t *k = &image->comps[c];
    if (k->prec != 8 || k->sgnd) {
      char text[96];
      snprintf(text, sizeof text, "component %d is %s %u-bit; unsigned 8-bit expected", c, k->sgnd ? "signed" : "unsigned",
               k->prec);
      put_message(message, message_len, text);
      status = WSI_ERR_UNSUPPORTED;
      goto done;
    }
  }
  size_t row_bytes = (size_t)width * (size_t)channels;
  if (row_bytes > stride || dst_len < row_bytes) {
    put_message(message, message_len, "destination too small for one row");
    status = WSI_ERR_SIZE;
    goto done;
  }

  if (!opj_decode(codec, stream, image) || !opj_end_decompress(codec, stream)) {
    if (!sink.has_error) put_message(message, message_len, "OpenJPEG: decode failed");
    status = WSI_ERR_J2K;
    goto done;
  }

  /*
   * Subsampled components are replicated (nearest neighbour) with OpenSlide's factor, image width / component
   * width in whole numbers, so 4:2:2 and 4:2:0 chroma land on the same pixels as there. A factor that would index
   * past a component (odd sizes) is refused rather than read out of bounds.
   */
  int w = (int)width, h = (int)height;
  int sub_x[3], sub_y[3];
  for (int c = 0; c < 3; c++) {
    opj_image_comp_t *k = &image->comps[c];
    if (!k->data || k->w == 0 || k->h == 0) {
      put_message(message, message_len, "OpenJPEG returned an empty component");
      status = WSI_ERR_J2K;
      goto done;
    }
    sub_x[c] = w / (int)k->w;
    sub_y[c] = h / (int)k->h;
    if (sub_x[c] < 1 || sub_y[c] < 1 || (w - 1) / sub_x[c] >= (int)k->w || (h - 1) / sub_y[c] >= (int)k->h) {
      char text[128];
      snprintf(text, sizeof text, "component %d is %ux%u, which does not subsample the %dx%d image evenly", c, k->w,
               k->h, w, h);
      put_message(message, message_len, text);
      status = WSI_ERR_UNSUPPORTED;
      goto done;
    }
  }

  /* Rows that fit the destination (callers may pass only the tile's visible rows). */
  size_t fit = 1 + (dst_len - row_bytes) / stride;
  int rows = (size_t)h < fit ? h : (int)fit;
  for (int y = 0; y < rows; y++) {
    uint8_t *out = dst + (size_t)y * stride;
    const OPJ_INT32 *r0 = image->comps[0].data + (size_t)(y / sub_y[0]) * image->comps[0].w;
    const OPJ_INT32 *r1 = image->comps[1].data + (size_t)(y / sub_y[1]) * image->comps[1].w;
    const OPJ_INT32 *r2 = image->comps[2].data + (size_t)(y / sub_y[2]) * image->comps[2].w;
    for (int x = 0; x < w; x++) {
      /* 8-bit unsigned components are already clamped to 0..255 by OpenJPEG's level shift */
      out[0] = (uint8_t)r0[x / sub_x[0]];
      out[1] = (uint8_t)r1[x / sub_x[1]];
      out[2] = (uint8_t)r2[x / sub_x[2]];
      if (channels == 4) out[3] = 255;
      out += channels;
    }
  }

done:
  if (image) opj_image_destroy(image);
  if (codec) opj_destroy_codec(codec);
  if (stream) opj_stream_destroy(stream);
  return status;
}

/* ---- encoding, for the synthetic slide writer and tests ---- */

struct mem_out {
  uint8_t *data;
  size_t length;   /* bytes written (the high-water mark) */
  size_t offset;   /* write position */
  size_t capacity;
  int failed;
};

static int out_reserve(struct mem_out *s, size_t end) {
  if (end <= s->capacity) return 1;
  size_t cap = s->capacity ? s->capacity : 4096;
  while (cap < end) cap *= 2;
  uint8_t *grown = (uint8_t *)realloc(s->data, cap);
  if (!grown) {
    s->failed = 1;
    return 0;
  }
  memset(grown + s->capacity, 0, cap - s->capacity);
  s->data = grown;
  s->capacity = cap;
  return 1;
}

static OPJ_SIZE_T out_write(void *buf, OPJ_SIZE_T count, void *user) {
  struct mem_out *s = (struct mem_out *)user;
  if (!out_reserve(s, s->offset + count)) return (OPJ_SIZE_T)-1;
  memcpy(s->data + s->offset, buf, count);
  s->offset += count;
  if (s->offset > s->length) s->length = s->offset;
  return count;
}

static OPJ_OFF_T out_skip(OPJ_OFF_T count, void *user) {
  struct mem_out *s = (struct mem_out *)user;
  if (count < 0 && (size_t)(-count) > s->offset) return -1;
  size_t target = (size_t)((OPJ_OFF_T)s->offset + count);
  if (!out_reserve(s, target)) return -1;
  s->offset = target;
  if (s->offset > s->length) s->length = s->offset;
  return count;
}

static OPJ_BOOL out_seek(OPJ_OFF_T offset, void *user) {
  struct mem_out *s = (struct mem_out *)user;
  if (offset < 0 || !out_reserve(s, (size_t)offset)) return OPJ_FALSE;
  s->offset = (size_t)offset;
  if (s->offset > s->length) s->length = s->offset;
  return OPJ_TRUE;
}

int wsi_j2k_encode(const uint8_t *pixels, int width, int height, size_t stride,
                   int sub_x, int sub_y, int mct, int rate, int jp2,
                   uint8_t **out, size_t *out_len, char *message, int message_len) {
  if (out) *out = NULL;
  if (out_len) *out_len = 0;
  put_message(message, message_len, "");
  if (!pixels || !out || !out_len || width <= 0 || height <= 0 || stride < (size_t)width * 3 ||
      sub_x < 1 || sub_x > 2 || sub_y < 1 || sub_y > 2 || (mct && (sub_x != 1 || sub_y != 1))) {
    put_message(message, message_len, "invalid argument");
    return WSI_ERR_ARGUMENT;
  }

  opj_image_cmptparm_t params[3];
  memset(params, 0, sizeof params);
  for (int c = 0; c < 3; c++) {
    params[c].dx = c == 0 ? 1 : (OPJ_UINT32)sub_x;
    params[c].dy = c == 0 ? 1 : (OPJ_UINT32)sub_y;
    params[c].w = (OPJ_UINT32)((width + (int)params[c].dx - 1) / (int)params[c].dx);
    params[c].h = (OPJ_UINT32)((height + (int)params[c].dy - 1) / (int)params[c].dy);
    params[c].prec = 8;
    params[c].sgnd = 0;
  }
  opj_image_t *image = opj_image_create(3, params, mct ? OPJ_CLRSPC_SRGB : OPJ_CLRSPC_SYCC);
  if (!image) {
    put_message(message, message_len, "OpenJPEG: out of memory");
    return WSI_ERR_ARGUMENT;
  }
  image->x0 = 0;
  image->y0 = 0;
  image->x1 = (OPJ_UINT32)width;
  image->y1 = (OPJ_UINT32)height;
  /* Subsampled components take the mean of the samples they cover. */
  for (int c = 0; c < 3; c++) {
    opj_image_comp_t *k = &image->comps[c];
    for (OPJ_UINT32 cy = 0; cy < k->h; cy++) {
      for (OPJ_UINT32 cx = 0; cx < k->w; cx++) {
        int sum = 0, n = 0;
        for (OPJ_UINT32 y = cy * k->dy; y < (cy + 1) * k->dy && y < (OPJ_UINT32)height; y++) {
          for (OPJ_UINT32 x = cx * k->dx; x < (cx + 1) * k->dx && x < (OPJ_UINT32)width; x++) {
            sum += pixels[(size_t)y * stride + (size_t)x * 3 + (size_t)c];
            n++;
          }
        }
        k->data[(size_t)cy * k->w + cx] = (sum + n / 2) / n;
      }
    }
  }

  opj_cparameters_t cp;
  opj_set_default_encoder_parameters(&cp);
  cp.tcp_mct = mct ? 1 : 0;
  cp.tcp_numlayers = 1;
  if (rate > 0) {
    cp.irreversible = 1; /* 9/7, as scanners write */
    cp.tcp_rates[0] = (float)rate;
  } else {
    cp.tcp_rates[0] = 0; /* lossless 5/3 */
  }
  cp.cp_disto_alloc = 1;
  int levels = 5;
  while (levels > 0 && ((width >> levels) < 1 || (height >> levels) < 1)) levels--;
  cp.numresolution = levels + 1;

  struct sink sink = {message, message_len, 0};
  struct mem_out mo = {NULL, 0, 0, 0, 0};
  int status = WSI_OK;
  opj_codec_t *codec = opj_create_compress(jp2 ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K);
  opj_stream_t *stream = opj_stream_create(65536, OPJ_FALSE);
  if (!codec || !stream) {
    put_message(message, message_len, "OpenJPEG: out of memory");
    status = WSI_ERR_ARGUMENT;
    goto done;
  }
  opj_set_info_handler(codec, on_quiet, NULL);
  opj_set_warning_handler(codec, on_quiet, NULL);
  opj_set_error_handler(codec, on_error, &sink);
  opj_stream_set_user_data(stream, &mo, NULL);
  opj_stream_set_write_function(stream, out_write);
  opj_stream_set_skip_function(stream, out_skip);
  opj_stream_set_seek_function(stream, out_seek);
  if (!opj_setup_encoder(codec, &cp, image) || !opj_start_compress(codec, image, stream) ||
      !opj_encode(codec, stream) || !opj_end_compress(codec, stream) || mo.failed) {
    if (!sink.has_error) put_message(message, message_len, "OpenJPEG: encode failed");
    status = WSI_ERR_J2K;
    goto done;
  }
  opj_stream_destroy(stream); /* flushes into mo */
  stream = NULL;
  *out = mo.data;
  *out_len = mo.length;
  mo.data = NULL;

done:
  if (stream) opj_stream_destroy(stream);
  if (codec) opj_destroy_codec(codec);
  opj_image_destroy(image);
  free(mo.data);
  return status;
}

#else

int wsi_has_openjpeg(void) { return 0; }
const char *wsi_openjpeg_version(void) { return ""; }

int wsi_j2k_decode(const uint8_t *data, size_t data_len, int channels,
                   uint8_t *dst, size_t dst_len, size_t stride,
                   int max_width, int max_height,
                   int *out_width, int *out_height, int *out_components,
                   char *message, int message_len) {
  (void)data; (void)data_len; (void)channels; (void)dst; (void)dst_len; (void)stride;
  (void)max_width; (void)max_height; (void)out_width; (void)out_height; (void)out_components;
  put_message(message, message_len, "wsinative was built without OpenJPEG");
  return WSI_ERR_UNAVAILABLE;
}

int wsi_j2k_encode(const uint8_t *pixels, int width, int height, size_t stride,
                   int sub_x, int sub_y, int mct, int rate, int jp2,
                   uint8_t **out, size_t *out_len, char *message, int message_len) {
  (void)pixels; (void)width; (void)height; (void)stride; (void)sub_x; (void)sub_y; (void)mct; (void)rate; (void)jp2;
  if (out) *out = NULL;
  if (out_len) *out_len = 0;
  put_message(message, message_len, "wsinative was built without OpenJPEG");
  return WSI_ERR_UNAVAILABLE;
}

#endif
