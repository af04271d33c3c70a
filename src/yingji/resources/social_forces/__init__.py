"""Social emergency forces (社会应急力量): registered volunteer and NGO rescue organisations."""
