"""One map (一张图) and the home dashboard: the cross-registry views of decision support.

Reads only: registry layers and counts through the registry kit's scoped queries, division
boundaries through the geo API. Sits above the domains that declare registries, so it sees
every registry the app mounts without naming any.
"""
