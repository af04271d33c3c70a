"""Repository tooling (not shipped in the yingji package)."""
