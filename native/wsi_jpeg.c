/* JPEG decode and encode through the libjpeg API of libjpeg-turbo. */
#include "wsi_native.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

struct wsi_jpeg {
  struct jpeg_decompress_struct cinfo;
  struct jpeg_error_mgr jerr;
  jmp_buf escape;
  char message[JMSG_LENGTH_MAX + 32];
};

/* Errors and corrupt-data warnings both leave through the jump buffer. */
static void on_error_exit(j_common_ptr cinfo) {
  wsi_jpeg *d = (wsi_jpeg *)cinfo->client_data;
  (*cinfo->err->format_message)(cinfo, d->message);
  longjmp(d->escape, 1);
}

static int is_benign_warning(int code) {
  /* Header oddities that do not change the pixels. */
  return code == JWRN_JFIF_MAJOR || code == JWRN_ADOBE_XFORM
#ifdef JWRN_BOGUS_ICC
         || code == JWRN_BOGUS_ICC
#endif
      ;
}

static void on_emit_message(j_common_ptr cinfo, int level) {
  if (level < 0 && !is_benign_warning(cinfo->err->msg_code)) {
    /* libjpeg would pad with grey and carry on: that is silently wrong pixels. */
    wsi_jpeg *d = (wsi_jpeg *)cinfo->client_data;
    (*cinfo->err->format_message)(cinfo, d->message);
    longjmp(d->escape, 2);
  }
}

static void on_output_message(j_common_ptr cinfo) { (void)cinfo; /* never print */ }

int wsi_abi_version(void) { return WSI_ABI_VERSION; }
int wsi_libjpeg_version(void) {
#ifdef LIBJPEG_TURBO_VERSION_NUMBER
  return LIBJPEG_TURBO_VERSION_NUMBER;
#else
  return JPEG_LIB_VERSION;
#endif
}

wsi_jpeg *wsi_jpeg_create(void) {
  wsi_jpeg *volatile d = (wsi_jpeg *)calloc(1, sizeof(wsi_jpeg));
  if (!d) return NULL;
  d->cinfo.err = jpeg_std_error(&d->jerr);
  d->jerr.error_exit = on_error_exit;
  d->jerr.emit_message = on_emit_message;
  d->jerr.output_message = on_output_message;
  d->cinfo.client_data = d;
  if (setjmp(d->escape)) {
    free(d);
    return NULL;
  }
  jpeg_create_decompress(&d->cinfo);
  return d;
}

void wsi_jpeg_destroy(wsi_jpeg *d) {
  if (!d) return;
  jpeg_destroy_decompress(&d->cinfo);
  free(d);
}

const char *wsi_jpeg_message(const wsi_jpeg *d) { return d ? d->message : "no decoder"; }

static int fail(wsi_jpeg *d, int status, const char *text) {
  snprintf(d->message, sizeof d->message, "%s", text);
  return status;
}

int wsi_jpeg_decode(wsi_jpeg *d, const uint8_t *tables, size_t tables_len,
                    const uint8_t *data, size_t data_len, int colorspace, int output, int scale_denom,
                    uint8_t *dst, size_t dst_len, size_t stride, int max_width, int max_height,
                    int *out_width, int *out_height, int *out_components) {
  if (!d) return WSI_ERR_ARGUMENT;
  d->message[0] = '\0';
  if (!data || data_len < 4 || !dst || max_width <= 0 || max_height <= 0 ||
      (scale_denom != 1 && scale_denom != 2 && scale_denom != 4 && scale_denom != 8))
    return fail(d, WSI_ERR_ARGUMENT, "invalid arguments");

  j_decompress_ptr c = &d->cinfo;
  if (setjmp(d->escape)) {
    jpeg_abort_decompress(c);
    return WSI_ERR_JPEG;
  }

  if (tables && tables_len > 0) {
    jpeg_mem_src(c, tables, (unsigned long)tables_len);
    if (jpeg_read_header(c, FALSE) != JPEG_HEADER_TABLES_ONLY) {
      jpeg_abort_decompress(c);
      return fail(d, WSI_ERR_JPEG, "JPEGTables is not a tables-only stream");
    }
  }

  jpeg_mem_src(c, data, (unsigned long)data_len);
  if (jpeg_read_header(c, TRUE) != JPEG_HEADER_OK) {
    jpeg_abort_decompress(c);
    return fail(d, WSI_ERR_JPEG, "no image in JPEG stream");
  }

  switch (colorspace) {
  case WSI_CS_GRAY:
    c->jpeg_color_space = JCS_GRAYSCALE;
    c->out_color_space = output == WSI_OUT_RGB    ? JCS_RGB
                         : output == WSI_OUT_RGBA ? JCS_EXT_RGBA
                                                  : JCS_GRAYSCALE;
    break;
  case WSI_CS_RGB:
  case WSI_CS_YCBCR:
    c->jpeg_color_space = colorspace == WSI_CS_RGB ? JCS_RGB : JCS_YCbCr;
    c->out_color_space = output == WSI_OUT_RGBA ? JCS_EXT_RGBA : JCS_RGB;
    break;
  case WSI_CS_RAW:
    if (output != WSI_OUT_COMPONENTS) {
      jpeg_abort_decompress(c);
      return fail(d, WSI_ERR_ARGUMENT, "raw components cannot be converted");
    }
    c->jpeg_color_space = JCS_UNKNOWN;
    c->out_color_space = JCS_UNKNOWN;
    break;
  default:
    jpeg_abort_decompress(c);
    return fail(d, WSI_ERR_ARGUMENT, "unknown colour space");
  }
  /* libjpeg-turbo's defaults, stated so that nothing upstream can change them. */
  c->dct_method = JDCT_ISLOW;
  c->do_fancy_upsampling = TRUE;
  c->do_block_smoothing = TRUE;
  c->scale_num = 1;
  c->scale_denom = (unsigned int)scale_denom;
  c->quantize_colors = FALSE;

  jpeg_calc_output_dimensions(c);
  if ((int)c->output_width > max_width || (int)c->output_height > max_height) {
    snprintf(d->message, sizeof d->message, "JPEG image is %ux%u (%ux%u decoded), larger than the %dx%d expected",
             c->image_width, c->image_height, c->output_width, c->output_height, max_width, max_height);
    jpeg_abort_decompress(c);
    return WSI_ERR_SIZE;
  }

  jpeg_start_decompress(c);
  size_t row_bytes = (size_t)c->output_width * (size_t)c->output_components;
  if (row_bytes > stride || (size_t)(c->output_height - 1) * stride + row_bytes > dst_len) {
    jpeg_abort_decompress(c);
    return fail(d, WSI_ERR_SIZE, "destination buffer too small for the decoded image");
  }

  JSAMPROW rows[16];
  while (c->output_scanline < c->output_height) {
    int n = (int)(c->output_height - c->output_scanline);
    if (n > 16) n = 16;
    for (int i = 0; i < n; i++) rows[i] = dst + (size_t)(c->output_scanline + i) * stride;
    jpeg_read_scanlines(c, rows, (JDIMENSION)n);
  }
  jpeg_finish_decompress(c);

  if (out_width) *out_width = (int)c->output_width;
  if (out_height) *out_height = (int)c->output_height;
  if (out_components) *out_components = c->output_components;
  return WSI_OK;
}

/* ---- encoder ---------------------------------------------------------- */

typedef struct {
  struct jpeg_error_mgr pub;
  jmp_buf escape;
} encode_error_mgr;

static void encode_error_exit(j_common_ptr cinfo) {
  encode_error_mgr *e = (encode_error_mgr *)cinfo->err;
  longjmp(e->escape, 1);
}

static int setup_compress(j_compress_ptr c, int width, int height, int components, int colorspace,
                          int quality, int h_samp, int v_samp, int restart_interval) {
  c->image_width = (JDIMENSION)width;
  c->image_height = (JDIMENSION)height;
  c->input_components = components;
  c->in_color_space = components == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(c);
  switch (colorspace) {
  case WSI_CS_GRAY:
    jpeg_set_colorspace(c, JCS_GRAYSCALE);
    break;
  case WSI_CS_RGB:
    jpeg_set_colorspace(c, JCS_RGB);
    for (int i = 0; i < 3; i++) {
      c->comp_info[i].component_id = i; /* Aperio style */
      c->comp_info[i].h_samp_factor = 1;
      c->comp_info[i].v_samp_factor = 1;
    }
    break;
  case WSI_CS_YCBCR:
    jpeg_set_colorspace(c, JCS_YCbCr);
    c->comp_info[0].h_samp_factor = h_samp;
    c->comp_info[0].v_samp_factor = v_samp;
    for (int i = 1; i < 3; i++) c->comp_info[i].h_samp_factor = c->comp_info[i].v_samp_factor = 1;
    break;
  default:
    return 0;
  }
  c->write_JFIF_header = FALSE;
  c->write_Adobe_marker = FALSE;
  c->restart_interval = (unsigned int)restart_interval;
  jpeg_set_quality(c, quality, TRUE);
  return 1;
}

int wsi_jpeg_encode(const uint8_t *pixels, int width, int height, size_t stride, int components,
                    int colorspace, int quality, int h_samp, int v_samp, int restart_interval,
                    int abbreviated, uint8_t **out, size_t *out_len, char *message, int message_len) {
  if (!pixels || !out || !out_len || width <= 0 || height <= 0 ||
      (components != 1 && components != 3) || h_samp < 1 || h_samp > 4 || v_samp < 1 || v_samp > 4)
    return WSI_ERR_ARGUMENT;
  struct jpeg_compress_struct c;
  encode_error_mgr err;
  /* Address taken below, so it lives in memory and survives the longjmp. */
  unsigned char *mem = NULL;
  unsigned long len = 0;
  c.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = encode_error_exit;
  err.pub.output_message = on_output_message;
  if (setjmp(err.escape)) {
    if (message && message_len > 0) {
      char text[JMSG_LENGTH_MAX];
      (*c.err->format_message)((j_common_ptr)&c, text);
      snprintf(message, (size_t)message_len, "%s", text);
    }
    jpeg_destroy_compress(&c);
    free(mem);
    return WSI_ERR_JPEG;
  }
  jpeg_create_compress(&c);
  jpeg_mem_dest(&c, &mem, &len);
  if (!setup_compress(&c, width, height, components, colorspace, quality, h_samp, v_samp,
                      restart_interval)) {
    jpeg_destroy_compress(&c);
    return WSI_ERR_ARGUMENT;
  }
  if (abbreviated) jpeg_suppress_tables(&c, TRUE);
  jpeg_start_compress(&c, abbreviated ? FALSE : TRUE);
  while (c.next_scanline < c.image_height) {
    JSAMPROW row = (JSAMPROW)(pixels + (size_t)c.next_scanline * stride);
    jpeg_write_scanlines(&c, &row, 1);
  }
  jpeg_finish_compress(&c);
  jpeg_destroy_compress(&c);
  *out = mem;
  *out_len = len;
  return WSI_OK;
}

int wsi_jpeg_encode_tables(int components, int colorspace, int quality, uint8_t **out,
                           size_t *out_len, char *message, int message_len) {
  if (!out || !out_len || (components != 1 && components != 3)) return WSI_ERR_ARGUMENT;
  struct jpeg_compress_struct c;
  encode_error_mgr err;
  unsigned char *mem = NULL;
  unsigned long len = 0;
  c.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = encode_error_exit;
  err.pub.output_message = on_output_message;
  if (setjmp(err.escape)) {
    if (message && message_len > 0) {
      char text[JMSG_LENGTH_MAX];
      (*c.err->format_message)((j_common_ptr)&c, text);
      snprintf(message, (size_t)message_len, "%s", text);
    }
    jpeg_destroy_compress(&c);
    free(mem);
    return WSI_ERR_JPEG;
  }
  jpeg_create_compress(&c);
  jpeg_mem_dest(&c, &mem, &len);
  if (!setup_compress(&c, 16, 16, components, colorspace, quality, 1, 1, 0)) {
    jpeg_destroy_compress(&c);
    return WSI_ERR_ARGUMENT;
  }
  jpeg_write_tables(&c);
  jpeg_destroy_compress(&c);
  *out = mem;
  *out_len = len;
  return WSI_OK;
}

void wsi_free(void *p) { free(p); }
