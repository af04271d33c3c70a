"""Emergency shelters (应急避难场所): class, capacity, facilities, open/closed status."""
