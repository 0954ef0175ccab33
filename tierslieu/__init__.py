"""The shared layer of the tiers-lieu platform."""

from tierslieu import convertors

# before any part builds its routes: their "{…:int}" then match only ids a row can have
convertors.register()
