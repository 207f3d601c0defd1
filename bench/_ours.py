"""Fallback for bench/analyse.py when ``openruimte analyse --plans`` itself fails:
the same library calls the command makes (read the file, analyse, write the
result JSON), without the progress bar. The benchmark labels this row so.

    .venv/bin/python bench/_ours.py PLANS.gpkg OUT.json
"""

from __future__ import annotations

import sys
from pathlib import Path

from openruimte.analysis.pairs import Parameters
from openruimte.services import analyse as analysing


def main() -> None:
    path, out = Path(sys.argv[1]), Path(sys.argv[2])
    items = analysing.plans_from_file(path)
    result = analysing.analyse(items, Parameters())
    analysing.write_json(result, out)
    print(f"{result.plans} plans: {len(result.couplings)} couplings, {len(result.conflicts)} conflicts")


if __name__ == "__main__":
    main()
