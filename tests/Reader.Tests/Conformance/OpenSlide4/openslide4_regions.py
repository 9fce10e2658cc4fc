#!/usr/bin/env python3
"""Reference regions from OpenSlide 4.0.1, for OpenSlide4RegionTests.

Run inside the OpenSlide 4.0.1 root (../shared/tools/openslide4.sh):
  ../shared/tools/openslide4.sh exec python3 tests/Reader.Tests/Conformance/OpenSlide4/openslide4_regions.py \
      ../shared/fixtures/real > tests/Reader.Tests/Conformance/OpenSlide4/regions.json

For every fixture OpenSlide opens: its level sizes, and for each level seeded random regions (inside, and
crossing the right and bottom edges and the origin) with the SHA-256 of their non-premultiplied RGBA bytes;
its properties and associated image names.
On a level whose downsample is not whole, only regions at the origin (a level-0 coordinate then maps to a
fractional level position, which OpenSlide interpolates and we do not).
"""
import hashlib
import json
import os
import random
import sys

import openslide


def regions_for(slide, level, rng):
    width, height = slide.level_dimensions[level]
    downsample = slide.level_downsamples[level]
    whole = abs(downsample - round(downsample)) < 1e-9
    out = []
    for i in range(10):
        w = rng.randint(1, 300)
        h = rng.randint(1, 300)
        if not whole:
            lx, ly = 0, 0
        elif i % 3 == 0:  # crossing the right and bottom edges
            lx, ly = max(0, width - w // 2), max(0, height - h // 2)
        elif i % 3 == 1:  # crossing the origin
            lx, ly = -rng.randint(1, 50), -rng.randint(1, 50)
        else:
            lx, ly = rng.randint(0, max(0, width - 1)), rng.randint(0, max(0, height - 1))
        ds = int(round(downsample)) if whole else 1
        x, y = lx * ds, ly * ds
        try:
            image = slide.read_region((x, y), level, (w, h))
        except openslide.OpenSlideError as e:  # OpenSlide's errors are sticky: the rest of the slide is unreadable
            out.append({"x": x, "y": y, "w": w, "h": h, "error": str(e)})
            return out, False
        rgba = image.convert("RGBA").tobytes()
        out.append({"x": x, "y": y, "w": w, "h": h, "sha256": hashlib.sha256(rgba).hexdigest()})
        if not whole:
            break
    return out, True


def main(folder):
    result = {"openslide": openslide.__library_version__, "fixtures": {}}
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        try:
            slide = openslide.OpenSlide(path)
        except Exception:
            continue
        rng = random.Random(name)
        slide_properties = dict(slide.properties)
        associated = sorted(slide.associated_images.keys())
        levels = []
        dimensions = list(slide.level_dimensions)  # before any read: an error makes every later call fail
        for level in range(len(dimensions)):
            regions, readable = regions_for(slide, level, rng)
            levels.append({"width": dimensions[level][0], "height": dimensions[level][1], "regions": regions})
            if not readable:
                break
        result["fixtures"][name] = {"levels": levels, "properties": dict(slide_properties),
                                    "associated": associated}
    json.dump(result, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main(sys.argv[1])
