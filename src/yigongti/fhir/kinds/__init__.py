"""One module per resource kind: it builds a registry.ResourceKind from the app's queries (reads, scoped to
the user), actions (writes) and the converters in fhir/mapping, and registers it. A kind whose source app
is not installed yet does not register, so the CapabilityStatement never advertises it."""
