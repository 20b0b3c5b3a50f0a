"""Reference values for main/agreement/metrics.ts, computed independently with numpy/scipy.

Reads cases (JSON) on stdin, writes results (JSON) on stdout. Segments: Dice by counting; HD95 as
the larger of the two directed 95th percentiles (numpy linear interpolation) of surface-to-surface
distances, surface = mask & ~binary_erosion(mask) (6-connected, border 0); distances both with
scipy.ndimage.distance_transform_edt(sampling=...) (evenly spaced slices) and with a KD-tree on the
surface points in mm (any slice positions). Kappas by their formulas in numpy (no sklearn here).
"""
import json
import sys

import numpy as np
from scipy import ndimage
from scipy.spatial import cKDTree


def surface(mask):
    structure = ndimage.generate_binary_structure(3, 1)
    return mask & ~ndimage.binary_erosion(mask, structure=structure, border_value=0)


def points_mm(surf, z_pos, row_spacing, col_spacing):
    zz, yy, xx = np.nonzero(surf)
    return np.stack([np.asarray(z_pos)[zz], yy * row_spacing, xx * col_spacing], axis=1)


def segment_case(case):
    nz = len(case["slicePositions"])
    shape = (nz, case["rows"], case["columns"])
    a = np.array(case["a"], dtype=bool).reshape(shape)
    b = np.array(case["b"], dtype=bool).reshape(shape)
    na, nb = int(a.sum()), int(b.sum())
    if na == 0 and nb == 0:
        return {"dice": 1.0, "hd95": 0.0, "hd95Edt": 0.0}
    dice = 2.0 * int((a & b).sum()) / (na + nb)
    if na == 0 or nb == 0:
        return {"dice": dice, "hd95": None, "hd95Edt": None}
    sa, sb = surface(a), surface(b)
    pa = points_mm(sa, case["slicePositions"], case["rowSpacing"], case["columnSpacing"])
    pb = points_mm(sb, case["slicePositions"], case["rowSpacing"], case["columnSpacing"])
    d_ab, _ = cKDTree(pb).query(pa)
    d_ba, _ = cKDTree(pa).query(pb)
    hd95 = max(np.percentile(d_ab, 95), np.percentile(d_ba, 95))
    hd95_edt = None
    steps = np.diff(case["slicePositions"])
    if nz == 1 or np.allclose(steps, steps[0]):
        sampling = (steps[0] if nz > 1 else 1.0, case["rowSpacing"], case["columnSpacing"])
        dt_b = ndimage.distance_transform_edt(~sb, sampling=sampling)
        dt_a = ndimage.distance_transform_edt(~sa, sampling=sampling)
        hd95_edt = float(max(np.percentile(dt_b[sa], 95), np.percentile(dt_a[sb], 95)))
    return {"dice": dice, "hd95": float(hd95), "hd95Edt": hd95_edt}


def cohen(a, b):
    a, b = np.asarray(a), np.asarray(b)
    cats = np.unique(np.concatenate([a, b]))
    po = float(np.mean(a == b))
    pe = float(sum(np.mean(a == c) * np.mean(b == c) for c in cats))
    return None if abs(1 - pe) < 1e-12 else (po - pe) / (1 - pe)


def fleiss(ratings):
    r = np.asarray(ratings)
    n_items, n = r.shape
    cats = np.unique(r)
    counts = np.stack([(r == c).sum(axis=1) for c in cats], axis=1).astype(float)
    p_i = ((counts * (counts - 1)).sum(axis=1)) / (n * (n - 1))
    p_bar = p_i.mean()
    p_j = counts.sum(axis=0) / (n_items * n)
    pe = float((p_j ** 2).sum())
    return None if abs(1 - pe) < 1e-12 else float((p_bar - pe) / (1 - pe))


cases = json.load(sys.stdin)
print(json.dumps({
    "segments": [segment_case(c) for c in cases["segments"]],
    "cohen": [cohen(c["a"], c["b"]) for c in cases["cohen"]],
    "fleiss": [fleiss(c) for c in cases["fleiss"]],
}))
