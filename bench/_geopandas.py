"""The same analysis as a GIS analyst would write it in GeoPandas (bench/analyse.py runs this
as a subprocess, so its wall time and peak memory are measured like ours).

Read the file (pyogrio), self-join with ``sjoin(predicate="dwithin")``, then the rules of
shared/spec/exchange.md "Analysis definitions" as vectorised pandas filters; write the
pairs as JSON in the spec's encoding (without score and explanation).

    .venv/bin/python bench/_geopandas.py PLANS.gpkg OUT.json
"""

from __future__ import annotations

import json
import sys

import geopandas as gpd
import numpy as np
import pandas as pd

MAX_DISTANCE_M = 10.0
MAX_GAP_DAYS = 730
GRAAFRUST_DAYS = 1095
GRAAFRUST_DISTANCE_M = 5.0


def analyse(path: str) -> dict:
    gdf = gpd.read_file(path, engine="pyogrio")
    gdf["key"] = gdf["owner"] + ":" + gdf["id"]
    # asset types "a;b" -> one bit per type, so "disjoint" is a bitwise and
    dummies = gdf["asset_types"].str.get_dummies(sep=";").to_numpy(dtype=np.int64)
    gdf["mask"] = dummies @ (np.int64(1) << np.arange(dummies.shape[1], dtype=np.int64))
    epoch = pd.Timestamp("1970-01-01")
    gdf["s"] = (gdf["start"] - epoch).dt.days
    gdf["e"] = (gdf["end"] - epoch).dt.days
    scheduled = gdf["start"].notna() & gdf["end"].notna()
    cols = ["key", "owner", "mask", "excavation", "s", "e", "geometry"]

    # couplings
    cand = gdf.loc[scheduled & (gdf["phase"] != "beheer"), cols]
    j = gpd.sjoin(cand, cand, predicate="dwithin", distance=MAX_DISTANCE_M)
    j = j[j["key_left"] < j["key_right"]]
    gap = np.maximum(0, np.maximum(j["s_right"] - j["e_left"], j["s_left"] - j["e_right"]))
    keep = (
        ((j["owner_left"] != j["owner_right"]) | ((j["mask_left"] & j["mask_right"]) == 0))
        & (j["excavation_left"] | j["excavation_right"])
        & (gap <= MAX_GAP_DAYS)
    )
    j, gap = j[keep], gap[keep]
    other = cand.geometry.loc[j["index_right"]].to_numpy()
    couplings = pd.DataFrame(
        {
            "a": j["key_left"].to_numpy(),
            "b": j["key_right"].to_numpy(),
            "distance_m": j.geometry.distance(gpd.GeoSeries(other, index=j.index, crs=cand.crs)).round(3).to_numpy(),
            "gap_days": gap.astype(np.int64).to_numpy(),
        }
    ).sort_values(["a", "b"])

    # no-dig conflicts: renewals (left) against excavating plans (right)
    ren = gdf.loc[scheduled & gdf["surface_renewal"], cols]
    dig = gdf.loc[scheduled & gdf["excavation"], cols]
    k = gpd.sjoin(ren, dig, predicate="dwithin", distance=GRAAFRUST_DISTANCE_M)
    k = k[k["key_left"] != k["key_right"]]
    first = k["e_left"] + 1
    last = k["e_left"] + GRAAFRUST_DAYS
    overlap = np.minimum(k["e_right"], last) - np.maximum(k["s_right"], first) + 1
    k, overlap = k[overlap > 0], overlap[overlap > 0]
    other = dig.geometry.loc[k["index_right"]].to_numpy()
    conflicts = pd.DataFrame(
        {
            "renewal": k["key_left"].to_numpy(),
            "plan": k["key_right"].to_numpy(),
            "distance_m": k.geometry.distance(gpd.GeoSeries(other, index=k.index, crs=dig.crs)).round(3).to_numpy(),
            "overlap_days": overlap.astype(np.int64).to_numpy(),
        }
    ).sort_values(["renewal", "plan"])

    return {
        "parameters": {
            "max_distance_m": 10,
            "max_gap_days": MAX_GAP_DAYS,
            "graafrust_days": GRAAFRUST_DAYS,
            "graafrust_distance_m": 5,
        },
        "plans": len(gdf),
        "unscheduled": sorted(gdf.loc[~scheduled, "key"].tolist()),
        "couplings": couplings.to_dict("records"),
        "conflicts": conflicts.to_dict("records"),
    }


def main() -> None:
    path, out = sys.argv[1], sys.argv[2]
    result = analyse(path)
    with open(out, "w", encoding="utf-8") as f:
        json.dump(result, f, ensure_ascii=False)
    print(f"{result['plans']} plans: {len(result['couplings'])} couplings, {len(result['conflicts'])} conflicts")


if __name__ == "__main__":
    main()
