"""``Adapters``: every way the platform reaches the outside world, chosen in one place.

``bootstrap`` builds one ``Adapters`` value per process from the settings
(``Adapters.from_settings``) and puts it on the context; tests and drills use
``Adapters.fakes()``. Domain code receives the adapter it needs from the context and never
decides between a real gateway and a fake itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from yingji.adapters.channels import ChannelAdapter, simulated_channels
from yingji.adapters.routing import OsrmRoadNetwork, RoadNetwork
from yingji.adapters.storage import FileStorage, MemoryStorage, Storage
from yingji.settings import Settings


@dataclass
class Adapters:
    """Storage for uploads, the road network (None: straight-line ETAs), notify channels."""

    storage: Storage
    road_network: RoadNetwork | None = None
    channels: Mapping[str, ChannelAdapter] = field(default_factory=simulated_channels)

    @classmethod
    def from_settings(cls, settings: Settings) -> Adapters:
        """Return the deployment's adapters: files on disk, OSRM when configured.

        The SMS, voice, WeChat, loudspeaker and display channels are the simulated gateways
        until real ones are configured (README: 通知).
        """
        network = OsrmRoadNetwork(settings.routing_url) if settings.routing_url else None
        return cls(storage=FileStorage(Path(settings.storage_dir)), road_network=network)

    @classmethod
    def fakes(cls) -> Adapters:
        """Return in-memory storage, no road network and simulated channels (tests, drills)."""
        return cls(storage=MemoryStorage())
