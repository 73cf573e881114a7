"""Converters between the platform's records and FHIR resources, one module per resource: ``to_fhir(record)``
builds the resource (a dict, validated against R4B in the tests); ``from_fhir(resource)`` returns the plain
keyword arguments of the people / org actions (codes still unresolved: an area code, an organization id).

Nothing here talks HTTP or decides who may see what: ``fhir/kinds/`` calls queries and actions and these
converters; an HL7 v2 or CDA adapter would sit beside this package and feed the same actions."""
