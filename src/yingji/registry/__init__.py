"""Registry kit: the shared machinery behind every shared registry (基础数据库).

A registry (shelters, rescue teams, enterprises ...) declares a ``RegistrySpec``: its table,
its schemas, its Excel layout, who may write it and how it is scoped. The kit gives it the
same behaviour everywhere — scoped list/detail, create/update/retire with audit and events,
Excel template/import/export, GeoJSON layer, and pages. Sits above accounts and geo, below
the domains that declare registries.
"""
