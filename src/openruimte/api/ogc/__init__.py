"""OGC API Features, shaped as pygeoapi does: a provider (store queries, paging,
CRS) and document builders; the thin router is ``api/routers/ogc.py``."""
