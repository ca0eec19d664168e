package audit

import (
	"fmt"
	"sort"
)

// Built-in mapping names.
const (
	MappingSalesforce = "salesforce" // Salesforce Event Monitoring objects and SetupAuditTrail as JSON lines
	MappingM365       = "m365"       // Microsoft 365 Unified Audit Log records as JSON lines
	MappingVigil      = "vigil"      // Vigil's own query log
)

// BuiltinMapping returns a copy of a built-in mapping.
func BuiltinMapping(name string) (Mapping, error) {
	f, ok := builtinMappings[name]
	if !ok {
		return Mapping{}, fmt.Errorf("%w: no built-in mapping %q (have %v)", ErrMapping, name, BuiltinMappingNames())
	}
	return f(), nil
}

// BuiltinMappingNames lists the built-in mappings.
func BuiltinMappingNames() []string {
	out := make([]string, 0, len(builtinMappings))
	for k := range builtinMappings {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var builtinMappings = map[string]func() Mapping{
	MappingSalesforce:             salesforceMapping,
	MappingSalesforceELF:          salesforceELFMapping,
	MappingSalesforceLoginHistory: salesforceLoginHistoryMapping,
	MappingSalesforceSetupAudit:   salesforceSetupAuditMapping,
	MappingM365:                   m365Mapping,
	MappingM365Export:             m365ExportMapping,
	MappingEntraSignIn:            entraSignInMapping,
	MappingEntraAudit:             entraAuditMapping,
	MappingVigil:                  vigilMapping,
	MappingZoho:                   zohoMapping,
	MappingFxiaoke:                fxiaokeMapping,
	MappingJiandaoyun:             jiandaoyunMapping,
}

// salesforceMapping reads Real-Time Event Monitoring objects and
// SetupAuditTrail / LoginHistory records as the REST API returns them (each
// with attributes.type) and as log collectors store them (without
// attributes): LoginEvent, LoginAsEvent, LogoutEvent, LightningUriEvent,
// UriEvent, ReportEvent, ListViewEvent, ApiEvent, BulkApiResultEventStore,
// SetupAuditTrail and LoginHistory. Without attributes the object is told by
// its fields (Platform Events Developer Guide): DelegatedUsername only in
// LoginAsEvent, LoginType in LoginEvent, ReportId in ReportEvent, JobId in
// BulkApiResultEventStore, ApiType with Operation or QueriedEntities in
// ApiEvent, Action with Section in SetupAuditTrail, LoginTime in
// LoginHistory, a session without Status or Operation in LogoutEvent.
func salesforceMapping() Mapping {
	const typ = `coalesce("attributes"."type", CASE
		WHEN "DelegatedUsername" IS NOT NULL THEN 'LoginAsEvent'
		WHEN "LoginTime" IS NOT NULL THEN 'LoginHistory'
		WHEN "LoginType" IS NOT NULL THEN 'LoginEvent'
		WHEN "ReportId" IS NOT NULL THEN 'ReportEvent'
		WHEN "ListViewId" IS NOT NULL THEN 'ListViewEvent'
		WHEN "JobId" IS NOT NULL THEN 'BulkApiResultEventStore'
		WHEN "Action" IS NOT NULL AND "Section" IS NOT NULL THEN 'SetupAuditTrail'
		WHEN "ApiType" IS NOT NULL AND ("Operation" IS NOT NULL OR "QueriedEntities" IS NOT NULL) THEN 'ApiEvent'
		WHEN "RecordId" IS NOT NULL AND "Operation" IS NOT NULL THEN 'LightningUriEvent'
		WHEN "SessionKey" IS NOT NULL AND "Status" IS NULL AND "Operation" IS NULL THEN 'LogoutEvent'
		END)`
	const mfaSetup = `("Display" ILIKE '%multi-factor%' OR "Display" ILIKE '%two-factor%' OR "Display" ILIKE '%2fa%' OR "Action" ILIKE '%twofactor%')`
	return Mapping{
		Name:   MappingSalesforce,
		Format: "json",
		Columns: map[string]string{
			"attributes": `STRUCT("type" VARCHAR)`, "CreatedBy": `STRUCT("Username" VARCHAR)`,
			"EventDate": "VARCHAR", "CreatedDate": "VARCHAR", "Username": "VARCHAR", "Status": "VARCHAR",
			"SourceIp": "VARCHAR", "Country": "VARCHAR", "City": "VARCHAR", "LoginLatitude": "VARCHAR",
			"LoginLongitude": "VARCHAR", "Browser": "VARCHAR", "Platform": "VARCHAR", "SessionKey": "VARCHAR",
			"SessionLevel": "VARCHAR", "Operation": "VARCHAR", "QueriedEntities": "VARCHAR", "RecordId": "VARCHAR",
			"ReportId": "VARCHAR", "ListViewId": "VARCHAR", "RowsProcessed": "VARCHAR", "Action": "VARCHAR",
			"Section": "VARCHAR", "Display": "VARCHAR", "DelegateUser": "VARCHAR", "UserType": "VARCHAR",
			"DelegatedUsername": "VARCHAR", "LoginTime": "VARCHAR", "LoginType": "VARCHAR", "JobId": "VARCHAR",
			"ApiType": "VARCHAR", "UserId": "VARCHAR", "SourceIpAddress": "VARCHAR", "CountryIso": "VARCHAR",
		},
		Fields: map[string]string{
			"time": `=coalesce("EventDate", "LoginTime", "CreatedDate")`,
			"user": `=CASE ` + typ + ` WHEN 'LoginAsEvent' THEN "DelegatedUsername"
				WHEN 'SetupAuditTrail' THEN coalesce(NULLIF("DelegateUser", ''), "CreatedBy"."Username")
				ELSE coalesce("Username", "CreatedBy"."Username", "UserId") END`,
			"action": `=CASE ` + typ + `
				WHEN 'LoginEvent' THEN CASE WHEN "Status" = 'Success' THEN 'login' ELSE 'login_failed' END
				WHEN 'LoginHistory' THEN CASE WHEN "Status" = 'Success' THEN 'login' ELSE 'login_failed' END
				WHEN 'LoginAsEvent' THEN 'impersonate'
				WHEN 'BulkApiResultEventStore' THEN 'export'
				WHEN 'LogoutEvent' THEN 'logout'
				WHEN 'LightningUriEvent' THEN CASE "Operation" WHEN 'Read' THEN 'view' WHEN 'Create' THEN 'update'
					WHEN 'Update' THEN 'update' WHEN 'Delete' THEN 'delete' ELSE "Operation" END
				WHEN 'UriEvent' THEN CASE "Operation" WHEN 'Read' THEN 'view' WHEN 'Create' THEN 'update'
					WHEN 'Update' THEN 'update' WHEN 'Delete' THEN 'delete' ELSE "Operation" END
				WHEN 'ReportEvent' THEN CASE WHEN "Operation" ILIKE '%export%' THEN 'export' ELSE 'view' END
				WHEN 'ListViewEvent' THEN 'search'
				WHEN 'ApiEvent' THEN 'export'
				WHEN 'SetupAuditTrail' THEN CASE
					WHEN "Action" IN ('suOrgAdminLogin', 'suNetworkAdminLogin') THEN 'impersonate'
					WHEN ` + mfaSetup + ` THEN 'mfa_change'
					WHEN "Action" IN ('PermSetAssign', 'PermSetUnassign', 'PermSetGroupAssign', 'PermSetGroupUnassign',
						'changedprofileforuser', 'changedroleforuser', 'deactivateduser', 'frozeuser', 'activateduser')
						THEN 'permission_change'
					ELSE 'update' END
				ELSE ` + typ + ` END`,
			"status":     `=CASE WHEN ` + typ + ` IN ('LoginEvent', 'LoginHistory') AND "Status" <> 'Success' THEN 'failure' ELSE 'success' END`,
			"src_ip":     `=coalesce("SourceIp", "SourceIpAddress")`,
			"country":    `=coalesce("Country", "CountryIso")`,
			"city":       "City",
			"latitude":   "LoginLatitude",
			"longitude":  "LoginLongitude",
			"user_agent": `=CASE WHEN "Browser" IS NOT NULL OR "Platform" IS NOT NULL THEN concat_ws(' / ', "Browser", "Platform") END`,
			"session_id": "SessionKey",
			"mfa":        `=CASE WHEN ` + typ + ` = 'LoginEvent' AND "SessionLevel" IS NOT NULL THEN "SessionLevel" = 'HIGH_ASSURANCE' END`,
			"object_type": `=CASE ` + typ + `
				WHEN 'ReportEvent' THEN 'report'
				WHEN 'LoginAsEvent' THEN 'user'
				WHEN 'SetupAuditTrail' THEN CASE WHEN "Display" ILIKE '%user %@%' THEN 'user' ELSE 'setting' END
				WHEN 'LoginEvent' THEN NULL WHEN 'LogoutEvent' THEN NULL WHEN 'LoginHistory' THEN NULL
				ELSE "QueriedEntities" END`,
			"object_id": `=CASE ` + typ + `
				WHEN 'LightningUriEvent' THEN "RecordId" WHEN 'UriEvent' THEN "RecordId"
				WHEN 'ReportEvent' THEN "ReportId" WHEN 'ListViewEvent' THEN "ListViewId"
				WHEN 'LoginAsEvent' THEN lower("Username")
				WHEN 'SetupAuditTrail' THEN NULLIF(lower(regexp_extract("Display", 'user (\S+@[^\s,;:]+)', 1)), '')
				END`,
			"record_count": "RowsProcessed",
			"detail": `=CASE ` + typ + `
				WHEN 'LoginEvent' THEN CASE WHEN "Status" <> 'Success' THEN "Status" END
				WHEN 'LoginHistory' THEN CASE WHEN "Status" <> 'Success' THEN "Status" END
				WHEN 'ReportEvent' THEN "QueriedEntities"
				WHEN 'SetupAuditTrail' THEN CASE
					WHEN ` + mfaSetup + ` THEN CASE WHEN "Action" ILIKE '%unassign%' OR "Display" ILIKE '%disabl%'
						OR "Display" ILIKE '%remov%' THEN 'disabled' ELSE 'enabled' END
					WHEN "Action" = 'changedprofileforuser' THEN 'granted ' || regexp_extract("Display", ' to (.+)$', 1)
					WHEN "Action" = 'changedroleforuser' THEN 'granted role ' || regexp_extract("Display", ' to (.+)$', 1)
					WHEN "Action" IN ('PermSetAssign', 'PermSetGroupAssign')
						THEN 'granted ' || regexp_extract("Display", '^Permission set (?:group )?(.+?): assigned', 1)
					WHEN "Action" IN ('PermSetUnassign', 'PermSetGroupUnassign')
						THEN 'revoked ' || regexp_extract("Display", '^Permission set (?:group )?(.+?): unassigned', 1)
					WHEN "Action" IN ('deactivateduser', 'frozeuser') THEN 'revoked login'
					WHEN "Action" = 'activateduser' THEN 'granted login'
					ELSE "Action" END
				END`,
		},
	}
}

// vigilMapping reads Vigil's own query log (package query, format
// vigil.querylog/v1): JSON lines with time, user, uid, label, session, action
// ("query"), statement (SELECT, COPY, ...), tables (list, or a single name),
// rows and status (ok, error, denied).
//
// Attribution: user is the OS account of the process that ran the statement.
// label ($VIGIL_USER) is a display name only and never attributes anything;
// lines of earlier versions held the label in user and the OS account in
// os_user, which then wins.
//
// Every statement that returned rows to the analyst is an export of that
// many records: the rows left the locked engine for a terminal, a file or a
// pipe, so bulk dumps through vigil query count like any other export.
func vigilMapping() Mapping {
	return Mapping{
		Name:   MappingVigil,
		Format: "json",
		Columns: map[string]string{
			"time": "VARCHAR", "user": "VARCHAR", "os_user": "VARCHAR", "uid": "VARCHAR", "label": "VARCHAR",
			"session": "VARCHAR", "action": "VARCHAR", "statement": "VARCHAR",
			"tables": "JSON", "rows": "VARCHAR", "status": "VARCHAR", "host": "VARCHAR",
		},
		Fields: map[string]string{
			"time": "time",
			"user": `=coalesce(NULLIF("os_user", ''), "user")`,
			"action": `=CASE WHEN "action" = 'query' AND "status" = 'ok' AND TRY_CAST("rows" AS BIGINT) > 0 THEN 'export'
				WHEN "action" = 'query' THEN 'view' ELSE "action" END`,
			"object_type":  "='dataset'",
			"object_id":    `=CASE json_type("tables") WHEN 'ARRAY' THEN array_to_string(from_json("tables", '["VARCHAR"]'), ',') ELSE "tables" ->> '$' END`,
			"record_count": "rows",
			"session_id":   "session",
			"status":       "status",
			"detail":       "statement",
		},
		Values: map[string]map[string]string{
			"status": {"ok": "success", "error": "failure", "denied": "failure"},
		},
	}
}
