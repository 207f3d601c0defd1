"""Real wijk/buurt files (Utrecht 2013, GeoJSON WGS84) as areas, and plans get their buurt."""

import shapely

from openruimte.services.importing import import_file
from tests.factories import plan


def test_utrecht_buurten_and_wijken(store, shared_data, tmp_path):
    folder = shared_data / "nl" / "utrecht-2013"
    wijk = import_file(store, "areas", folder / "wijk.geojson", level="wijk")
    buurt = import_file(store, "areas", folder / "buurt.geojson", level="buurt")
    assert wijk.ok and buurt.ok, (wijk.errors[:3], buurt.errors[:3])
    assert (wijk.summary.inserted, buurt.summary.inserted) == (10, 111)
    buurten = store.areas(level="buurt")
    assert len(buurten) == 111 and len(store.areas(level="wijk")) == 10
    by_code = {a.code: a for a in buurten}
    assert by_code["0111"].name == "Welgelegen, Den Homm" and by_code["0111"].parent == "01"
    # RD New coordinates of Utrecht (x ~ 136,000, y ~ 456,000)
    minx, miny, maxx, maxy = shapely.union_all([a.geometry for a in buurten]).bounds
    assert 125_000 < minx < maxx < 145_000 and 448_000 < miny < maxy < 462_000
    # a plan at the anchor of buurt 0111 gets that buurt as its area
    inside = by_code["0111"].geometry.representative_point()
    from openruimte import io

    io.write(tmp_path / "p.csv", "plans", [plan(geometry=inside)])
    assert import_file(store, "plans", tmp_path / "p.csv").ok
    assert store.plans()[0].area == "0111"
