"""Demo district: fixtures and seeding for `yingji seed demo`."""
