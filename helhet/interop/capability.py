"""The CapabilityStatement at /fhir/R4/metadata: exactly what helhet/interop/views.py serves (views asserts that
its searches are these), validated with the fhir.resources R4B model like every other response."""

from __future__ import annotations

from . import resources as R

FHIR_VERSION = "4.0.1"

# type -> (search parameters, with their FHIR type and documentation); every type listed here also has read.
SEARCH_PARAMS: dict[str, list[tuple[str, str, str]]] = {
    "Patient": [("identifier", "token", "urn:oid:2.16.578.1.12.4.1.4.1|<fødselsnummer> or urn:oid:2.16.578.1.12.4.1.4.2|<D-nummer>"),
                ("_id", "token", "one or more ids, comma-separated"), ("_lastUpdated", "date", "ge/gt/le/lt/eq/ne prefixes")],
    "CarePlan": [("patient", "reference", "required"), ("status", "token", "draft, active, completed"),
                 ("_lastUpdated", "date", "ge/gt/le/lt/eq/ne prefixes")],
    "CareTeam": [("patient", "reference", "required: the plan group of the person's current plan")],
    "Goal": [("patient", "reference", "required: the goals of the person's current plan")],
    "Task": [("patient", "reference", "required: the measures of the person's current plan")],
    "RelatedPerson": [("patient", "reference", "required")],
    "DocumentReference": [("patient", "reference", "required: the sub-plans of the person's current plan, then the person's letters and scans")],
    "Consent": [("patient", "reference", "required"), ("_lastUpdated", "date", "ge/gt/le/lt/eq/ne prefixes")],
    "Appointment": [("patient", "reference", "required: the meetings of the person's current plan"),
                    ("_lastUpdated", "date", "ge/gt/le/lt/eq/ne prefixes")],
    "Communication": [("patient", "reference", "required: the messages of the current plan's threads (at most 20 threads)"),
                      ("_lastUpdated", "date", "ge/gt/le/lt/eq/ne prefixes")],
    "AuditEvent": [("patient", "reference", "required: the person's access log, newest first"),
                   ("_maxid", "number", "set by the paging links: pins the log as it was on the first page")],
}
READ_ONLY = ("Organization", "Practitioner", "PractitionerRole")
INCLUDES = {"CarePlan": ["CarePlan:activity-reference", "CarePlan:goal", "CarePlan:care-team"]}


def capability_statement(base: str) -> dict:
    types = []
    for rtype in sorted((*SEARCH_PARAMS, *READ_ONLY)):
        interactions = [{"code": "read"}] + ([{"code": "search-type"}] if rtype in SEARCH_PARAMS else [])
        params = [{"name": n, "type": t, "documentation": d} for n, t, d in SEARCH_PARAMS.get(rtype, [])]
        if rtype in SEARCH_PARAMS:
            params += [{"name": "_count", "type": "number", "documentation": "page size, at most 200 (default 50)"},
                       {"name": "_offset", "type": "number", "documentation": "paging: follow the Bundle's next/previous links"}]
        entry = {"type": rtype, "interaction": interactions, "searchParam": params, "searchInclude": INCLUDES.get(rtype, []),
                 "versioning": "no-version", "readHistory": False, "updateCreate": False}
        if rtype == "Patient":
            entry["operation"] = [{"name": "everything", "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything",
                                   "documentation": "Patient/<id>/$everything: the record and the current plan, bounded"}]
        types.append(entry)
    return R.resource({
        "resourceType": "CapabilityStatement", "status": "active", "date": "2026-12-01", "kind": "instance",
        "name": "HelhetFHIR", "title": "Helhet FHIR R4 (read and search)",
        "publisher": "Helhet",
        "software": {"name": "Helhet"},
        "implementation": {
            "description": ("Helhet individuell plan: FHIR R4 read and search. Every response is validated with the "
                            "fhir.resources 8 R4B (4.3.0) models, which are wire-compatible with R4 4.0.1 for these "
                            "resources; nothing is validated against the R4 4.0.1 or no-basis StructureDefinitions."),
            "url": base,
        },
        "fhirVersion": FHIR_VERSION,
        "format": ["application/fhir+json"],
        "rest": [{
            "mode": "server",
            "documentation": "Read-only. Authentication: the logged-in Helhet session, or a system's OAuth 2.0 bearer "
                             "token. What the caller may not see is a 404 OperationOutcome and is logged as a refusal.",
            "security": {
                "service": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                         "code": "OAuth", "display": "OAuth"}]}],
                "description": ("Session cookie (as the JSON API), or Authorization: Bearer <JWT access token> from a "
                                "configured issuer (client credentials, HelseID-style): audience and exp checked, scope "
                                "helhet/fhir.read required. A bad, expired or wrong-audience token is a 401 "
                                "OperationOutcome."),
            },
            "resource": types,
        }],
    })
