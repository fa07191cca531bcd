"""Places: postcodes, area layers and facilities, and the lookup engine (no Flask here).

- ``postcodes``: read what people type and check the UK postcode format.
- ``errors``: every answer that is not a result, with a plain message and a status.
- ``importers``: read ONSPD / Code-Point Open / plain CSV postcodes, GeoJSON layers and
  facilities, reporting every bad row; ``build`` writes them into a new generation.
- ``store``: the geodata folder and its atomic generations; ``engine``: the questions.
- ``demo``: the fictional demo council's data; ``svgmap``: the small server-drawn map.
"""
