"""yingji (应急): the open-source 智慧应急 platform for a district emergency-management bureau."""

__version__ = "0.1.0"
