"""Generate the stand-in cat / non-cat picture set used by assignment C1W4A2.

The course's own picture files cannot be distributed, so this project ships a synthetic data set
with the same layout, drawn procedurally from a fixed seed:

* ``train_catvnoncat.h5``: ``train_set_x`` (209, 64, 64, 3) uint8, ``train_set_y`` (209,) int64,
  ``list_classes`` (2,) |S7 = [b'non-cat', b'cat']
* ``test_catvnoncat.h5``: ``test_set_x`` (50, 64, 64, 3) uint8, ``test_set_y`` (50,) int64,
  ``list_classes`` as above

The label counts match the course's files (72 of the 209 training pictures and 33 of the 50 test
pictures are cats) and the first 20 labels of each split are the course's, so that the notebook's
examples pick the same kind of picture. A "cat" is a cartoon cat face (pointed ears, slit-pupil
eyes, pink nose, whiskers, sometimes a body) of random size, position, fur colour and brightness on
a random background; a "non-cat" is a landscape, a house, trees, a flower, a car, a round-eared or
floppy-eared animal face, or abstract shapes. Every picture gets pixel noise. The task is learnable
but not trivial, so the models overfit and misclassify some test pictures, as in the course.

Only integer and basic floating-point arithmetic is used (no trigonometry, no image libraries), so
the output is identical on every platform. Regenerate with

    python assignments/C1W4A2/datasets/generate.py            # writes beside this file
    python assignments/C1W4A2/datasets/generate.py --check    # exit 1 if the files are stale
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SIZE = 64
SEED = 2                      # fixed; chosen among a few so that the two models tell the course's story
CLASSES = np.array([b"non-cat", b"cat"], dtype="S7")
SPLITS = {
    # name: (number of pictures, number of cats, first 20 labels as in the course's files)
    "train": (209, 72, [0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0, 0, 1]),
    "test": (50, 33, [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 1, 1, 1]),
}
FILES = {"train": "train_catvnoncat.h5", "test": "test_catvnoncat.h5"}

# Pixel-centre coordinates shared by every drawing primitive.
YY, XX = np.mgrid[0:SIZE, 0:SIZE].astype(float) + 0.5

# Unit directions at multiples of 45 degrees (written out to avoid trigonometric functions).
R2 = 0.7071067811865476
DIRECTIONS = [(1.0, 0.0), (R2, R2), (0.0, 1.0), (-R2, R2), (-1.0, 0.0), (-R2, -R2),
              (0.0, -1.0), (R2, -R2)]

FUR = [(0.93, 0.55, 0.20), (0.85, 0.45, 0.12), (0.55, 0.55, 0.58), (0.35, 0.35, 0.38),
       (0.12, 0.11, 0.12), (0.95, 0.93, 0.88), (0.60, 0.42, 0.28), (0.80, 0.70, 0.55)]
EYES = [(0.45, 0.80, 0.25), (0.85, 0.80, 0.20), (0.35, 0.65, 0.90), (0.80, 0.60, 0.15)]


# ---------------------------------------------------------------------------------------------
# Drawing primitives on a float canvas of shape (SIZE, SIZE, 3) with values in [0, 1]
# ---------------------------------------------------------------------------------------------

def ellipse(cx, cy, rx, ry):
    return ((XX - cx) / rx) ** 2 + ((YY - cy) / ry) ** 2 <= 1.0


def rectangle(x0, y0, x1, y1):
    return (XX >= x0) & (XX < x1) & (YY >= y0) & (YY < y1)


def triangle(p, q, r):
    def side(a, b):
        return (b[0] - a[0]) * (YY - a[1]) - (b[1] - a[1]) * (XX - a[0])
    s1, s2, s3 = side(p, q), side(q, r), side(r, p)
    return ((s1 >= 0) & (s2 >= 0) & (s3 >= 0)) | ((s1 <= 0) & (s2 <= 0) & (s3 <= 0))


def segment(x0, y0, x1, y1, width):
    dx, dy = x1 - x0, y1 - y0
    length2 = dx * dx + dy * dy
    t = np.clip(((XX - x0) * dx + (YY - y0) * dy) / length2, 0.0, 1.0)
    ex, ey = XX - (x0 + t * dx), YY - (y0 + t * dy)
    return ex * ex + ey * ey <= (width / 2.0) ** 2


def paint(canvas, mask, color, alpha=1.0):
    color = np.asarray(color, dtype=float)
    canvas[mask] = alpha * color + (1.0 - alpha) * canvas[mask]


def jitter(rs, color, amount=0.08):
    return np.clip(np.asarray(color) + rs.uniform(-amount, amount, 3), 0.0, 1.0)


def random_color(rs, low=0.0, high=1.0):
    return rs.uniform(low, high, 3)


# ---------------------------------------------------------------------------------------------
# Backgrounds
# ---------------------------------------------------------------------------------------------

def background(rs):
    canvas = np.empty((SIZE, SIZE, 3))
    kind = rs.randint(4)
    top, bottom = random_color(rs, 0.15, 0.95), random_color(rs, 0.1, 0.9)
    if kind == 0:                                   # vertical gradient (sky, wall)
        t = (YY / SIZE)[..., None]
        canvas[:] = (1 - t) * top + t * bottom
    elif kind == 1:                                 # wall and floor
        horizon = rs.randint(24, 50)
        canvas[:] = top
        canvas[horizon:] = bottom
    elif kind == 2:                                 # blocky texture (carpet, leaves, fabric)
        cell = rs.choice([4, 8, 16])
        n = SIZE // cell
        levels = rs.uniform(0.6, 1.15, (n, n, 1))
        canvas[:] = np.kron(levels, np.ones((cell, cell, 1))) * top
    else:                                           # plain colour with soft blobs
        canvas[:] = top
        for _ in range(rs.randint(2, 6)):
            paint(canvas, ellipse(*rs.uniform(0, SIZE, 2), *rs.uniform(4, 22, 2)),
                  random_color(rs, 0.1, 0.9), alpha=rs.uniform(0.3, 0.8))
    return np.clip(canvas, 0.0, 1.0)


# ---------------------------------------------------------------------------------------------
# Subjects
# ---------------------------------------------------------------------------------------------

def draw_cat(canvas, rs):
    if rs.rand() < 0.9:                             # a portrait: head near the middle
        r = rs.uniform(14.0, 20.0)
        cx, cy = rs.uniform(28.0, 36.0), rs.uniform(30.0, 38.0)
    else:                                           # a hard one: tiny, huge or off-centre
        r = rs.uniform(7.0, 26.0)
        cx, cy = rs.uniform(10.0, 54.0), rs.uniform(16.0, 50.0)
    fur = jitter(rs, FUR[rs.randint(len(FUR))])
    dark = fur * 0.55
    if rs.rand() < 0.5:                             # body below the head
        paint(canvas, ellipse(cx + rs.uniform(-0.4, 0.4) * r, cy + 1.3 * r, 1.25 * r, 0.95 * r), fur)
    # pointed ears, outer then inner
    for sign in (-1.0, 1.0):
        spread = rs.uniform(0.9, 1.1)
        base_out = (cx + sign * 0.95 * r * spread, cy - 0.25 * r)
        base_in = (cx + sign * 0.2 * r, cy - 0.8 * r)
        tip = (cx + sign * 0.8 * r * spread, cy - rs.uniform(1.35, 1.65) * r)
        paint(canvas, triangle(base_out, base_in, tip), fur)
        centre = ((base_out[0] + base_in[0] + tip[0]) / 3, (base_out[1] + base_in[1] + tip[1]) / 3)
        inner = [(0.7 * a + 0.3 * centre[0], 0.7 * b + 0.3 * centre[1]) for a, b in (base_out, base_in, tip)]
        paint(canvas, triangle(*inner), (0.95, 0.65, 0.70), alpha=0.8)
    paint(canvas, ellipse(cx, cy, r, 0.88 * r), fur)
    if rs.rand() < 0.5:                             # tabby stripes on the forehead
        for k in (-1, 0, 1):
            paint(canvas, segment(cx + k * 0.25 * r, cy - 0.82 * r, cx + k * 0.2 * r, cy - 0.45 * r,
                                  max(1.0, 0.1 * r)), dark)
    eye = jitter(rs, EYES[rs.randint(len(EYES))], 0.05)
    for sign in (-1.0, 1.0):
        ex, ey = cx + sign * 0.38 * r, cy - 0.12 * r
        paint(canvas, ellipse(ex, ey, 0.21 * r, 0.16 * r), eye)
        paint(canvas, ellipse(ex, ey, max(0.6, 0.05 * r), 0.15 * r), (0.02, 0.02, 0.02))
    nose_y = cy + 0.18 * r
    paint(canvas, triangle((cx - 0.12 * r, nose_y), (cx + 0.12 * r, nose_y), (cx, nose_y + 0.12 * r)),
          (0.92, 0.50, 0.55))
    width = max(0.8, 0.04 * r)
    for sign in (-1.0, 1.0):
        paint(canvas, segment(cx, nose_y + 0.12 * r, cx + sign * 0.16 * r, nose_y + 0.28 * r, width), dark)
        for k in (-1.0, 0.0, 1.0):
            paint(canvas, segment(cx + sign * 0.3 * r, nose_y + 0.12 * r + k * 0.06 * r,
                                  cx + sign * 1.15 * r, nose_y + k * 0.22 * r, width),
                  (0.93, 0.93, 0.93) if fur.mean() < 0.6 else (0.15, 0.15, 0.15))


def draw_animal(canvas, rs):
    """A furry face that is not a cat: round (bear) or floppy (dog) ears, round pupils."""
    r = rs.uniform(9.0, 22.0)
    cx, cy = rs.uniform(16.0, 48.0), rs.uniform(20.0, 46.0)
    fur = jitter(rs, FUR[rs.randint(len(FUR))])
    if rs.rand() < 0.5:
        for sign in (-1.0, 1.0):
            paint(canvas, ellipse(cx + sign * 0.7 * r, cy - 0.75 * r, 0.35 * r, 0.35 * r), fur)
    else:
        for sign in (-1.0, 1.0):
            paint(canvas, ellipse(cx + sign * 0.95 * r, cy + 0.1 * r, 0.3 * r, 0.75 * r), fur * 0.6)
    paint(canvas, ellipse(cx, cy, 0.9 * r, r), fur)
    paint(canvas, ellipse(cx, cy + 0.4 * r, 0.4 * r, 0.3 * r), jitter(rs, fur * 0.8 + 0.2))
    for sign in (-1.0, 1.0):
        paint(canvas, ellipse(cx + sign * 0.35 * r, cy - 0.2 * r, 0.12 * r, 0.12 * r), (0.03, 0.03, 0.03))
    paint(canvas, ellipse(cx, cy + 0.3 * r, 0.15 * r, 0.1 * r), (0.05, 0.04, 0.04))


def draw_house(canvas, rs):
    x0, w = rs.uniform(4, 30), rs.uniform(20, 34)
    y0, h = rs.uniform(26, 40), rs.uniform(14, 24)
    wall, roof = random_color(rs, 0.3, 1.0), random_color(rs, 0.05, 0.6)
    paint(canvas, rectangle(x0, y0, x0 + w, y0 + h), wall)
    paint(canvas, triangle((x0 - 3, y0), (x0 + w + 3, y0), (x0 + w / 2, y0 - rs.uniform(8, 18))), roof)
    paint(canvas, rectangle(x0 + w * 0.4, y0 + h * 0.45, x0 + w * 0.6, y0 + h), roof * 0.7)
    for fx in (0.12, 0.68):
        paint(canvas, rectangle(x0 + w * fx, y0 + h * 0.2, x0 + w * (fx + 0.2), y0 + h * 0.45),
              (0.75, 0.88, 0.98))


def draw_trees(canvas, rs):
    for _ in range(rs.randint(1, 4)):
        x, base = rs.uniform(6, 58), rs.uniform(44, 64)
        h = rs.uniform(14, 30)
        paint(canvas, rectangle(x - 1.5, base - h * 0.5, x + 1.5, base), (0.40, 0.25, 0.12))
        green = jitter(rs, (0.15, 0.55, 0.15), 0.15)
        if rs.rand() < 0.5:
            paint(canvas, ellipse(x, base - h * 0.7, h * 0.35, h * 0.4), green)
        else:
            paint(canvas, triangle((x - h * 0.35, base - h * 0.4), (x + h * 0.35, base - h * 0.4),
                                   (x, base - h * 1.2)), green)


def draw_flower(canvas, rs):
    cx, cy = rs.uniform(16, 48), rs.uniform(16, 48)
    r = rs.uniform(6, 14)
    paint(canvas, segment(cx, cy, cx + rs.uniform(-4, 4), SIZE, 2.0), (0.2, 0.55, 0.2))
    petal = random_color(rs, 0.4, 1.0)
    for dx, dy in DIRECTIONS:
        paint(canvas, ellipse(cx + dx * r, cy + dy * r, 0.55 * r, 0.55 * r), petal)
    paint(canvas, ellipse(cx, cy, 0.6 * r, 0.6 * r), jitter(rs, (0.95, 0.80, 0.15)))


def draw_car(canvas, rs):
    x0, y0 = rs.uniform(2, 22), rs.uniform(28, 44)
    w, h = rs.uniform(30, 40), rs.uniform(8, 13)
    body = random_color(rs, 0.1, 1.0)
    paint(canvas, rectangle(x0 + w * 0.22, y0 - h * 0.8, x0 + w * 0.75, y0 + 1), body * 0.9)
    paint(canvas, rectangle(x0 + w * 0.28, y0 - h * 0.65, x0 + w * 0.7, y0), (0.7, 0.85, 0.95))
    paint(canvas, rectangle(x0, y0, x0 + w, y0 + h), body)
    for fx in (0.22, 0.78):
        paint(canvas, ellipse(x0 + w * fx, y0 + h, h * 0.45, h * 0.45), (0.05, 0.05, 0.05))
        paint(canvas, ellipse(x0 + w * fx, y0 + h, h * 0.2, h * 0.2), (0.7, 0.7, 0.7))


def draw_landscape(canvas, rs):
    horizon = rs.uniform(28, 48)
    sky = jitter(rs, (0.45, 0.70, 0.95), 0.2)
    canvas[:] = sky * (0.7 + 0.3 * (YY / SIZE))[..., None]
    sun_x, sun_y, sun_r = rs.uniform(6, 58), rs.uniform(6, 20), rs.uniform(3, 7)
    paint(canvas, ellipse(sun_x, sun_y, sun_r, sun_r), (1.0, 0.92, 0.45))
    for _ in range(rs.randint(1, 4)):
        x, w = rs.uniform(-10, 70), rs.uniform(15, 40)
        paint(canvas, triangle((x - w, horizon), (x + w, horizon), (x, horizon - rs.uniform(8, 25))),
              jitter(rs, (0.45, 0.42, 0.45), 0.15))
    paint(canvas, YY >= horizon, jitter(rs, (0.25, 0.55, 0.20), 0.15))


def draw_shapes(canvas, rs):
    for _ in range(rs.randint(2, 7)):
        color = random_color(rs)
        x, y = rs.uniform(0, SIZE, 2)
        if rs.rand() < 0.5:
            paint(canvas, ellipse(x, y, *rs.uniform(3, 14, 2)), color)
        elif rs.rand() < 0.5:
            paint(canvas, rectangle(x, y, x + rs.uniform(4, 24), y + rs.uniform(4, 24)), color)
        else:
            paint(canvas, triangle((x, y), tuple(rs.uniform(0, SIZE, 2)), tuple(rs.uniform(0, SIZE, 2))),
                  color)


NON_CATS = [draw_animal, draw_house, draw_trees, draw_flower, draw_car,
            draw_landscape, draw_shapes]


def picture(rs, is_cat):
    """One 64x64 RGB uint8 picture."""
    canvas = background(rs)
    if is_cat:
        draw_cat(canvas, rs)
    else:
        NON_CATS[rs.randint(len(NON_CATS))](canvas, rs)
    if rs.rand() < 0.5:
        canvas = canvas[:, ::-1]                    # mirror image
    canvas = canvas * rs.uniform(0.55, 1.15)        # lighting
    image = np.rint(np.clip(canvas, 0.0, 1.0) * 255.0).astype(np.int64)
    image += rs.randint(-18, 19, image.shape)       # sensor noise
    return np.clip(image, 0, 255).astype(np.uint8)


def labels(rs, count, cats, first):
    """``count`` int64 labels with ``cats`` ones, starting with ``first``."""
    rest_cats = cats - sum(first)
    rest = np.array([1] * rest_cats + [0] * (count - len(first) - rest_cats), dtype=np.int64)
    return np.concatenate([np.array(first, dtype=np.int64), rs.permutation(rest)])


def generate():
    """Every array of both files: {file name: {dataset key: array}}."""
    rs = np.random.RandomState(SEED)
    data = {}
    for split, (count, cats, first) in SPLITS.items():
        y = labels(rs, count, cats, first)
        x = np.stack([picture(rs, bool(label)) for label in y])
        data[FILES[split]] = {f"{split}_set_x": x, f"{split}_set_y": y, "list_classes": CLASSES.copy()}
    return data


def read(folder):
    """The arrays stored in ``folder``, in the same layout as ``generate()``."""
    import h5py

    data = {}
    for name in FILES.values():
        with h5py.File(Path(folder) / name, "r") as f:
            data[name] = {key: np.array(f[key][:]) for key in f.keys()}
    return data


def differences(expected, actual):
    """Human-readable differences between two ``generate()``-style dicts."""
    problems = []
    for name, arrays in expected.items():
        if name not in actual:
            problems.append(f"{name}: missing")
            continue
        if sorted(actual[name]) != sorted(arrays):
            problems.append(f"{name}: keys {sorted(actual[name])}, expected {sorted(arrays)}")
        for key, array in arrays.items():
            got = actual[name].get(key)
            if got is None:
                continue
            if got.dtype != array.dtype or got.shape != array.shape:
                problems.append(f"{name}/{key}: {got.dtype}{got.shape}, expected {array.dtype}{array.shape}")
            elif not np.array_equal(got, array):
                problems.append(f"{name}/{key}: contents differ")
    return problems


def write(folder, data=None):
    import h5py

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    data = generate() if data is None else data
    for name, arrays in data.items():
        with h5py.File(folder / name, "w") as f:
            for key, array in arrays.items():
                if array.dtype == np.uint8:
                    f.create_dataset(key, data=array, compression="gzip", compression_opts=9,
                                     shuffle=True)
                else:
                    f.create_dataset(key, data=array)
    return data


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(HERE), help="folder to write (default: beside this script)")
    parser.add_argument("--check", action="store_true",
                        help="only compare the files in --out with a fresh generation")
    args = parser.parse_args(argv)
    if args.check:
        try:
            problems = differences(generate(), read(args.out))
        except OSError as exc:
            problems = [str(exc)]
        for problem in problems:
            print(problem)
        print("out of sync" if problems else "in sync")
        return 1 if problems else 0
    write(args.out)
    for name in FILES.values():
        print(f"wrote {Path(args.out) / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
