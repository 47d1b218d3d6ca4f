"""The tables of Open Referral HSDS 3.0 as kekiz needs them (from the 3.0 JSON schemas).

Condensed from ``schema/*.json`` of github.com/openreferral/specification (3.0, commit
279fd2eb): per table the tabular file name, required fields, field types (``u`` uuid,
``n`` number, else string), enumerations and the nested objects (``*`` = array).  The API
examples also nest ``services`` in an organization and ``service`` in a
service_at_location; both are accepted.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RENAMED", "SPEC", "TABLE_BY_PATH", "TableSpec"]


@dataclass(frozen=True)
class TableSpec:
    name: str
    path: str
    required: tuple[str, ...]
    fields: dict[str, str]  # name -> "string" | "number" | "uuid"
    nested: dict[str, tuple[str, bool]]  # key -> (table, many)
    enums: dict[str, tuple[str, ...]]

    def many(self, key: str) -> bool:
        return self.nested.get(key, ("", True))[1]


_COMMON = "attributes:attribute* metadata:metadata*"


def _t(name: str, path: str, required: str, fields: str, nested: str = _COMMON,
       enums: dict[str, tuple[str, ...]] | None = None) -> TableSpec:
    kinds = {"u": "uuid", "n": "number"}
    parsed = {}
    for f in fields.split():
        fname, _, kind = f.partition(":")
        parsed[fname] = kinds.get(kind, "string")
    nest = {}
    for n in nested.split():
        key, _, target = n.partition(":")
        nest[key] = (target.rstrip("*"), target.endswith("*"))
    return TableSpec(name, path, tuple(required.split()), parsed, nest, enums or {})


_PLACE = "physical", "postal", "virtual"
SPEC: dict[str, TableSpec] = {t.name: t for t in (
    _t("organization", "organizations.csv", "id name description",
       "id:u name alternate_name description email website tax_status tax_id "
       "year_incorporated:n legal_status logo uri parent_organization_id:u",
       "funding:funding* contacts:contact* phones:phone* locations:location* "
       "programs:program* organization_identifiers:organization_identifier* "
       "services:service* " + _COMMON),
    _t("program", "programs.csv", "id name description",
       "id:u organization_id:u name alternate_name description"),
    _t("service", "services.csv", "id name status",
       "id:u organization_id:u program_id:u name alternate_name description url email "
       "status interpretation_services application_process fees_description wait_time "
       "fees accreditations eligibility_description minimum_age:n maximum_age:n "
       "assured_date assurer_email licenses alert last_modified",
       "phones:phone* schedules:schedule* service_areas:service_area* "
       "service_at_locations:service_at_location* languages:language* "
       "organization:organization funding:funding* cost_options:cost_option* "
       "program:program required_documents:required_document* contacts:contact* "
       + _COMMON,
       {"status": ("active", "inactive", "defunct", "temporarily closed")}),
    _t("attribute", "attributes.csv", "id",
       "id:u link_id:u taxonomy_term_id:u link_type link_entity value",
       "taxonomy_term:taxonomy_term metadata:metadata*"),
    _t("service_at_location", "service_at_location.csv", "id",
       "id:u service_id:u location_id:u description",
       "contacts:contact* phones:phone* schedules:schedule* location:location "
       "service:service " + _COMMON),
    _t("location", "locations.csv", "id location_type",
       "id:u location_type url organization_id:u name alternate_name description "
       "transportation latitude:n longitude:n external_identifier external_identifier_type",
       "languages:language* addresses:address* contacts:contact* "
       "accessibility:accessibility* phones:phone* schedules:schedule* " + _COMMON,
       {"location_type": _PLACE}),
    _t("phone", "phones.csv", "id number",
       "id:u location_id:u service_id:u organization_id:u contact_id:u "
       "service_at_location_id:u number extension:n type description",
       "languages:language* " + _COMMON),
    _t("contact", "contacts.csv", "id",
       "id:u organization_id:u service_id:u service_at_location_id:u location_id:u name "
       "title department email", "phones:phone* " + _COMMON),
    _t("address", "addresses.csv",
       "id address_1 city state_province postal_code country address_type",
       "id:u location_id:u attention address_1 address_2 city region state_province "
       "postal_code country address_type", enums={"address_type": _PLACE}),
    _t("schedule", "schedules.csv", "id",
       "id:u service_id:u location_id:u service_at_location_id:u valid_from valid_to "
       "dtstart timezone:n until count:n wkst freq interval:n byday byweekno bymonthday "
       "byyearday description opens_at closes_at schedule_link attending_type notes",
       enums={"wkst": ("MO", "TU", "WE", "TH", "FR", "SA", "SU"),
              "freq": ("WEEKLY", "MONTHLY")}),
    _t("funding", "funding.csv", "id", "id:u organization_id:u service_id:u source"),
    _t("service_area", "service_areas.csv", "id",
       "id:u service_id:u name description extent extent_type uri"),
    _t("required_document", "required_documents.csv", "id",
       "id:u service_id:u document uri"),
    _t("language", "languages.csv", "id",
       "id:u service_id:u location_id:u phone_id:u name code note"),
    _t("accessibility", "accessibility.csv", "id",
       "id:u location_id:u description details url"),
    _t("taxonomy_term", "taxonomy_terms.csv", "id name description",
       "id:u code name description parent_id:u taxonomy language taxonomy_id:u term_uri",
       "taxonomy_detail:taxonomy metadata:metadata*"),
    _t("metadata", "metadata.csv",
       "id last_action_date last_action_type field_name previous_value replacement_value "
       "updated_by",
       "id:u resource_id:u resource_type last_action_date last_action_type field_name "
       "previous_value replacement_value updated_by", ""),
    _t("meta_table_description", "meta_table_descriptions.csv", "id",
       "id:u name language character_set"),
    _t("cost_option", "cost_options.csv", "id",
       "id:u service_id:u valid_from valid_to option currency amount:n amount_description"),
    _t("organization_identifier", "organization_identifiers.csv",
       "id identifier_type identifier",
       "id:u organization_id:u identifier_scheme identifier_type identifier"),
    _t("taxonomy", "taxonomies.csv", "id name description",
       "id:u name description uri version", "metadata:metadata*"),
)}

TABLE_BY_PATH = {t.path: t.name for t in SPEC.values()}
TABLE_BY_PATH["service_at_locations.csv"] = "service_at_location"

#: HSDS fields that kekiz keeps under another name: (table, HSDS field) -> attribute.
RENAMED = {("service", "minimum_age"): "age_min", ("service", "maximum_age"): "age_max"}
