"""Generate the stand-in 2D data set of the Regularization assignment.

    python assignments/C2W1A2/datasets/generate.py           # (re)write data.npz beside this file
    python assignments/C2W1A2/datasets/generate.py --check   # exit 1 if data.npz is out of date

The course's own file (data.mat) is not shipped. This script makes a synthetic set with the
same schema: ``X`` (211, 2) float64 and ``y`` (211, 1) uint8 for training, ``Xval`` (200, 2)
and ``yval`` (200, 1) for testing. Points lie in about [-0.75, 0.65] on both axes; the class is
decided by a wavy diagonal boundary, and labels near it are flipped at random so that a large
enough network can memorise noise and overfit a little, which is what regularization fixes.

The output depends only on the constants below (numpy's legacy RandomState is frozen across
numpy versions) and is written with fixed zip timestamps, so regenerating gives the same bytes.
"""
from __future__ import annotations

import argparse
import io
import sys
import zipfile
from pathlib import Path

import numpy as np

OUTPUT = Path(__file__).resolve().parent / "data.npz"
SEED = 3
N_TRAIN, N_TEST = 211, 200
NOISE_WIDTH = 0.09      # labels within about this distance of the boundary may flip
NEAR_FLIP = 0.3         # flip probability right on the boundary
FAR_FLIP = 0.02         # flip probability anywhere (isolated outliers)


def boundary(x1):
    """x2 coordinate of the class boundary above x1; class 1 lies above it."""
    return 0.05 + 0.8 * x1 + 0.1 * np.sin(10 * x1 + 1)


def _labels(rng: np.random.RandomState, points: np.ndarray) -> np.ndarray:
    distance = points[:, 1] - boundary(points[:, 0])
    labels = distance > 0
    flip_prob = NEAR_FLIP * np.exp(-(distance / NOISE_WIDTH) ** 2) + FAR_FLIP
    flips = rng.uniform(size=len(points)) < flip_prob
    return (labels ^ flips).astype(np.uint8).reshape(-1, 1)


def _train_points(rng: np.random.RandomState, n: int) -> np.ndarray:
    """A round cloud: uniform in a disc of radius 0.62 around (-0.15, -0.02)."""
    radius = 0.62 * np.sqrt(rng.uniform(size=n))
    angle = rng.uniform(0, 2 * np.pi, size=n)
    return np.column_stack([-0.15 + 0.75 * radius * np.cos(angle),
                            -0.02 + radius * np.sin(angle)])


def _test_points(rng: np.random.RandomState, n: int) -> np.ndarray:
    """Uniform in the box [-0.5, 0.3] x [-0.75, 0.6]."""
    return np.column_stack([rng.uniform(-0.5, 0.3, size=n), rng.uniform(-0.75, 0.6, size=n)])


def make_arrays() -> dict[str, np.ndarray]:
    """The four arrays of the stand-in data set (deterministic)."""
    rng = np.random.RandomState(SEED)
    X = np.round(_train_points(rng, N_TRAIN), 6)
    y = _labels(rng, X)
    Xval = np.round(_test_points(rng, N_TEST), 8)
    yval = _labels(rng, Xval)
    return {"X": X, "y": y, "Xval": Xval, "yval": yval}


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """An uncompressed .npz archive with fixed timestamps (readable by np.load)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, array in arrays.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            archive.writestr(info, member.getvalue())
    return buffer.getvalue()


def in_sync(path: Path = OUTPUT) -> bool:
    """Whether ``path`` holds exactly the arrays this script generates (values and dtypes)."""
    if not path.is_file():
        return False
    expected = make_arrays()
    with np.load(path, allow_pickle=False) as archive:
        if sorted(archive.files) != sorted(expected):
            return False
        return all(archive[k].dtype == v.dtype and archive[k].shape == v.shape
                   and np.array_equal(archive[k], v) for k, v in expected.items())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the file is up to date")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    if args.check:
        if in_sync(args.output):
            print(f"{args.output} is up to date")
            return 0
        print(f"{args.output} is out of date: run {Path(__file__).name} without --check", file=sys.stderr)
        return 1
    args.output.write_bytes(npz_bytes(make_arrays()))
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
