"""BIM models: IFC placement, information requirements (IDS) and version comparison.

Pure code on ifcopenshell, ifctester and lxml: no store, API or CLI imports.
"""
