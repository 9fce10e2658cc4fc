#!/usr/bin/env python3
"""OpenSlide 4.0.1 reference values for the JPEG 2000 and WebP fixtures.

Run inside the OpenSlide 4.0.1 root (/work/shared/tools/openslide4.sh exec python3 THIS ...):

  make_openslide4_references.py write FIXTURE_DIR OUT.json
      For each fixture: level count and sizes, every openslide.* property, and the SHA-256 of the
      non-premultiplied RGBA bytes (openslide-python's read_region) of seeded random regions on
      every level: inside the level and crossing its edges; on a level whose downsample is not
      whole, only regions at the origin (a level-0 coordinate there is not a whole level pixel,
      and the two readers need not round it alike).
  make_openslide4_references.py dump SLIDE LEVEL X Y W H OUT.raw
      One region's RGBA bytes, for a test that found a mismatch and wants to count the pixels.
"""
import hashlib
import json
import os
import random
import sys

import numpy as np
import openslide

FIXTURES = ["tcga-cr-7395-01a-01-ts1.svs", "usda_naip_256_webp_z3.tif"]
SEED = 20261203
INSIDE_PER_LEVEL = 10
EDGES_PER_LEVEL = 6
ORIGIN_SIZES = [(1, 1), (37, 53), (256, 256), (300, 211)]


def rgba(slide, level, x, y, w, h):
    return np.asarray(slide.read_region((x, y), level, (w, h)).convert("RGBA"), dtype=np.uint8).tobytes()


def regions_for(rng, width, height, downsample):
    whole = abs(downsample - round(downsample)) < 1e-9
    if not whole:
        return [(0, 0, w, h) for (w, h) in ORIGIN_SIZES]
    ds = int(round(downsample))
    out = []
    for _ in range(INSIDE_PER_LEVEL):
        w = rng.randint(1, min(300, width))
        h = rng.randint(1, min(300, height))
        lx = rng.randint(0, width - w)
        ly = rng.randint(0, height - h)
        out.append((lx * ds, ly * ds, w, h))
    for i in range(EDGES_PER_LEVEL):
        w = rng.randint(2, 300)
        h = rng.randint(2, 300)
        side = i % 4
        if side == 0:    # left edge
            lx, ly = rng.randint(-w + 1, -1), rng.randint(-h // 2, max(height - h // 2, 0))
        elif side == 1:  # right edge
            lx, ly = rng.randint(width - w + 1, width - 1), rng.randint(-h // 2, max(height - h // 2, 0))
        elif side == 2:  # top edge
            lx, ly = rng.randint(-w // 2, max(width - w // 2, 0)), rng.randint(-h + 1, -1)
        else:            # bottom-right corner
            lx, ly = rng.randint(width - w + 1, width - 1), rng.randint(height - h + 1, height - 1)
        out.append((lx * ds, ly * ds, w, h))
    return out


def describe(path):
    slide = openslide.OpenSlide(path)
    rng = random.Random(f"{SEED}:{os.path.basename(path)}")
    levels = []
    regions = []
    for level in range(slide.level_count):
        width, height = slide.level_dimensions[level]
        downsample = slide.level_downsamples[level]
        levels.append({"width": width, "height": height, "downsample": downsample})
        for (x, y, w, h) in regions_for(rng, width, height, downsample):
            digest = hashlib.sha256(rgba(slide, level, x, y, w, h)).hexdigest()
            regions.append({"level": level, "x": x, "y": y, "w": w, "h": h, "sha256": digest})
    props = {k: v for k, v in sorted(slide.properties.items()) if k.startswith("openslide.")}
    return {"levels": levels, "properties": props, "regions": regions}


def main(argv):
    if len(argv) == 4 and argv[1] == "write":
        out = {
            "openslide_version": openslide.__library_version__,
            "openslide_python_version": openslide.__version__,
            "seed": SEED,
            "pixels": "SHA-256 of read_region(...).convert('RGBA') bytes: straight RGBA, row-major, transparent black outside the level",
            "fixtures": {},
        }
        for name in FIXTURES:
            out["fixtures"][name] = describe(os.path.join(argv[2], name))
        with open(argv[3], "w") as f:
            json.dump(out, f, indent=1, sort_keys=True)
            f.write("\n")
        return 0
    if len(argv) == 9 and argv[1] == "dump":
        slide = openslide.OpenSlide(argv[2])
        level, x, y, w, h = (int(v) for v in argv[3:8])
        with open(argv[8], "wb") as f:
            f.write(rgba(slide, level, x, y, w, h))
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
