"""Voorbeeldstad: a deterministic demo municipality (GM0999) for OpenRuimte.

``generate(seed, scale=...)`` draws a town of about 15 km² around RD
(155000, 463000): an irregular historic centre inside a ring road (four
singels), seven radial main roads (one a provincial road), a canal (gracht)
from west to east with quays on both banks, and sinuous residential streets
with links and cul-de-sacs; 5 wijken and 17 buurten tile the outline exactly.
Streets are cut into 2,500-3,200 segments, which carry the assets (about 47,000
at scale 1.0 over 20+ asset types). About 650 plans of 9 organisations run
2026-2040. All randomness comes from ``numpy.random.default_rng(seed)``; the
same seed and scale give the same :meth:`DemoData.content_hash`.

Planted situations (``DemoData.planted``; the plan keys are the same for every
seed, only the streets differ), following ``shared/spec/exchange.md``:

couplings (``planted["couplings"]``, pairs with ``a < b``)
    - ``gemeente-voorbeeldstad:GV-RIO-0001`` sewer replacement 2028-03-01..2028-10-31 and
      ``netbeheerder-noord:NBN-0001`` low-voltage cables 2029-04-01..2029-09-30 in one residential
      street: gap 152 days, distance = the cable lane's offset (5-9 m).
    - ``waterbedrijf-regio:WBR-0001`` water main and ``netbeheerder-noord:NBN-0002`` gas main on a
      radial road, 0.6 m apart, windows overlapping.
    - ``gemeente-voorbeeldstad:GV-RIO-0002`` (hemelwaterafvoer) and ``gemeente-voorbeeldstad:GV-GRN-0001``
      (bomen): same owner, disjoint asset types, gap 366 days, distance 0.
    - ``provincie-middenland:PMI-0001`` road maintenance (no excavation) and ``telecom-stadsnet:SN-0001``
      fibre, about 9.2 m apart: close to the 10 m limit.
    - incidental: the first no-dig pair below is also a coupling (gap 216 days).

no-dig conflicts (``planted["no_dig_conflicts"]``)
    - ``gemeente-voorbeeldstad:GV-WEG-0001`` reconstruction with surface_renewal, ending 2027-06-30, and
      ``telecom-glasnet:GLN-0001`` fibre 2028-02-01..2028-04-30 in the same street: distance 0,
      overlap 90 days.
    - ``gemeente-voorbeeldstad:GV-RIO-0003`` sewer and repaving of a singel ending 2027-08-31, and
      ``waterbedrijf-regio:WBR-0002`` 2030-05-01..2030-09-30: overlap 122 days (partial).

overloaded substation (``planted["overloaded_substation"]``)
    One of five substations (``onderstation``, service areas tiling the town) at 20,000 kW whose load
    plus the housing in its service area (dwellings x 3.5 kW, housing counted where its centroid lies)
    exceeds capacity when ``gemeente-voorbeeldstad:GV-GO-0001`` is completed (2030), after
    ``woningcorporatie-thuis:WCT-0001`` (2028) and ``WCT-0002`` (2029). Dwellings of every housing plan
    are in ``planted["dwellings"]`` and in the plan name ("... (240 woningen)").

heat network does not fit (``planted["heat_does_not_fit"]``)
    ``warmtebedrijf-stad:WBS-0001`` runs through a centre street segment narrowed to a 5.0 m profile
    whose cables and pipes (lanes at ``attributes["offset_m"]``) occupy 4.9 m, while warmte needs 1.6 m
    (``planted["cable_space_m"]``).

``planted`` also holds ``n_plans``, ``n_assets`` and ``n_segments``.
"""

from openruimte.demo._data import DemoData
from openruimte.demo._generate import generate
from openruimte.demo._town import Street

__all__ = ["DemoData", "Street", "generate"]
