#!/usr/bin/env python3
"""Dumps what OpenSlide 4.0.1 makes of a slide, for DicomOpenSlide4Tests.

Run inside the OpenSlide 4.0.1 root (../shared/tools/openslide4.sh exec python3 ... SLIDE OUTDIR):
OUTDIR/info.json (level sizes, properties, associated image names, or the error opening it), OUTDIR/level-N.raw
(each whole level, non-premultiplied RGBA) and OUTDIR/associated-NAME.raw, up to the first read error (in info.json).
"""
import json
import os
import sys

import openslide


def main(path, out):
    os.makedirs(out, exist_ok=True)
    try:
        slide = openslide.OpenSlide(path)
    except openslide.OpenSlideError as e:
        with open(os.path.join(out, "info.json"), "w") as f:
            json.dump({"error": str(e)}, f)
        return
    info = {"levels": [list(d) for d in slide.level_dimensions], "properties": dict(slide.properties),
            "associated": sorted(slide.associated_images.keys())}
    try:
        for level, (w, h) in enumerate(slide.level_dimensions):
            rgba = slide.read_region((0, 0), level, (w, h)).convert("RGBA").tobytes()
            with open(os.path.join(out, f"level-{level}.raw"), "wb") as f:
                f.write(rgba)
        for name, image in slide.associated_images.items():
            with open(os.path.join(out, f"associated-{name}.raw"), "wb") as f:
                f.write(image.convert("RGBA").tobytes())
    except openslide.OpenSlideError as e:  # sticky: nothing more can be read
        info["read_error"] = str(e)
    with open(os.path.join(out, "info.json"), "w") as f:
        json.dump(info, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
