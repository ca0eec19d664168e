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
	MappingSalesforce: salesforceMapping,
	MappingM365:       m365Mapping,
	MappingVigil:      vigilMapping,
}

// salesforceMapping reads records as returned by the Salesforce REST API
// (each with attributes.type): LoginEvent, LogoutEvent, LightningUriEvent,
// UriEvent, ReportEvent, ListViewEvent, ApiEvent and SetupAuditTrail.
func salesforceMapping() Mapping {
	const typ = `"attributes"."type"`
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
		},
		Fields: map[string]string{
			"time": `=coalesce("EventDate", "CreatedDate")`,
			"user": `=coalesce("Username", "CreatedBy"."Username")`,
			"action": `=CASE ` + typ + `
				WHEN 'LoginEvent' THEN CASE WHEN "Status" = 'Success' THEN 'login' ELSE 'login_failed' END
				WHEN 'LogoutEvent' THEN 'logout'
				WHEN 'LightningUriEvent' THEN CASE "Operation" WHEN 'Read' THEN 'view' WHEN 'Create' THEN 'update'
					WHEN 'Update' THEN 'update' WHEN 'Delete' THEN 'delete' ELSE "Operation" END
				WHEN 'UriEvent' THEN CASE "Operation" WHEN 'Read' THEN 'view' WHEN 'Create' THEN 'update'
					WHEN 'Update' THEN 'update' WHEN 'Delete' THEN 'delete' ELSE "Operation" END
				WHEN 'ReportEvent' THEN CASE WHEN "Operation" ILIKE '%export%' THEN 'export' ELSE 'view' END
				WHEN 'ListViewEvent' THEN 'search'
				WHEN 'ApiEvent' THEN 'export'
				WHEN 'SetupAuditTrail' THEN CASE
					WHEN ` + mfaSetup + ` THEN 'mfa_change'
					WHEN "Action" IN ('PermSetAssign', 'PermSetUnassign', 'PermSetGroupAssign', 'PermSetGroupUnassign',
						'changedprofileforuser', 'changedroleforuser', 'deactivateduser', 'frozeuser', 'activateduser')
						THEN 'permission_change'
					ELSE 'update' END
				ELSE ` + typ + ` END`,
			"status":     `=CASE WHEN ` + typ + ` = 'LoginEvent' AND "Status" <> 'Success' THEN 'failure' ELSE 'success' END`,
			"src_ip":     "SourceIp",
			"country":    "Country",
			"city":       "City",
			"latitude":   "LoginLatitude",
			"longitude":  "LoginLongitude",
			"user_agent": `=CASE WHEN "Browser" IS NOT NULL OR "Platform" IS NOT NULL THEN concat_ws(' / ', "Browser", "Platform") END`,
			"session_id": "SessionKey",
			"mfa":        `=CASE WHEN ` + typ + ` = 'LoginEvent' AND "SessionLevel" IS NOT NULL THEN "SessionLevel" = 'HIGH_ASSURANCE' END`,
			"object_type": `=CASE ` + typ + `
				WHEN 'ReportEvent' THEN 'report'
				WHEN 'SetupAuditTrail' THEN CASE WHEN "Display" ILIKE '%user %@%' THEN 'user' ELSE 'setting' END
				WHEN 'LoginEvent' THEN NULL WHEN 'LogoutEvent' THEN NULL
				ELSE "QueriedEntities" END`,
			"object_id": `=CASE ` + typ + `
				WHEN 'LightningUriEvent' THEN "RecordId" WHEN 'UriEvent' THEN "RecordId"
				WHEN 'ReportEvent' THEN "ReportId" WHEN 'ListViewEvent' THEN "ListViewId"
				WHEN 'SetupAuditTrail' THEN NULLIF(lower(regexp_extract("Display", 'user (\S+@[^\s,;:]+)', 1)), '')
				END`,
			"record_count": "RowsProcessed",
			"detail": `=CASE ` + typ + `
				WHEN 'LoginEvent' THEN CASE WHEN "Status" <> 'Success' THEN "Status" END
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

// m365Mapping reads Microsoft 365 Unified Audit Log records (CreationTime
// in UTC without an offset).
func m365Mapping() Mapping {
	const userOps = `('Add member to role.', 'Remove member from role.', 'Disable Strong Authentication.',
		'Update user.', 'Delete application password for user.', 'Reset user password.', 'Change user password.',
		'Set force change user password.', 'Add user.', 'Delete user.')`
	prop := func(list, name, field string) string {
		return `list_filter("` + list + `", lambda p: p."Name" = '` + name + `')[1]."` + field + `"`
	}
	return Mapping{
		Name:   MappingM365,
		Format: "json",
		Columns: map[string]string{
			"CreationTime": "VARCHAR", "Operation": "VARCHAR", "ResultStatus": "VARCHAR", "UserId": "VARCHAR",
			"ClientIP": "VARCHAR", "ActorIpAddress": "VARCHAR", "ObjectId": "VARCHAR", "Workload": "VARCHAR",
			"LogonError":         "VARCHAR",
			"ExtendedProperties": `STRUCT("Name" VARCHAR, "Value" VARCHAR)[]`,
			"DeviceProperties":   `STRUCT("Name" VARCHAR, "Value" VARCHAR)[]`,
			"ModifiedProperties": `STRUCT("Name" VARCHAR, "NewValue" VARCHAR, "OldValue" VARCHAR)[]`,
		},
		Fields: map[string]string{
			"time":   "CreationTime",
			"user":   "UserId",
			"action": "Operation",
			"status": "ResultStatus",
			"src_ip": `=CASE
				WHEN regexp_matches(coalesce("ClientIP", "ActorIpAddress"), '^\d+\.\d+\.\d+\.\d+:\d+$')
					THEN regexp_extract(coalesce("ClientIP", "ActorIpAddress"), '^([\d.]+):', 1)
				WHEN regexp_matches(coalesce("ClientIP", "ActorIpAddress"), '^\[.*\](:\d+)?$')
					THEN regexp_extract(coalesce("ClientIP", "ActorIpAddress"), '^\[(.*)\]', 1)
				ELSE coalesce("ClientIP", "ActorIpAddress") END`,
			"user_agent":  "=" + prop("ExtendedProperties", "UserAgent", "Value"),
			"session_id":  "=" + prop("DeviceProperties", "SessionId", "Value"),
			"object_type": `=CASE WHEN "Operation" IN ` + userOps + ` THEN 'user' WHEN "Workload" IN ('SharePoint', 'OneDrive') THEN 'file' WHEN "Workload" = 'Exchange' THEN 'mailbox' END`,
			"object_id":   `=CASE WHEN "Operation" IN ` + userOps + ` THEN lower("ObjectId") WHEN "Workload" IN ('SharePoint', 'OneDrive', 'Exchange') THEN "ObjectId" END`,
			"detail": `=CASE "Operation"
				WHEN 'Add member to role.' THEN 'granted ' || coalesce(` + prop("ModifiedProperties", "Role.DisplayName", "NewValue") + `, 'role')
				WHEN 'Remove member from role.' THEN 'revoked ' || coalesce(` + prop("ModifiedProperties", "Role.DisplayName", "OldValue") + `, 'role')
				WHEN 'Disable Strong Authentication.' THEN 'disabled'
				WHEN 'UserLoginFailed' THEN "LogonError"
				END`,
		},
		Values: map[string]map[string]string{
			"action": {
				"UserLoggedIn": "login", "UserLoginFailed": "login_failed", "UserLoggedOut": "logout",
				"Add member to role.": "permission_change", "Remove member from role.": "permission_change",
				"Add app role assignment to user.": "permission_change", "Add delegated permission grant.": "permission_change",
				"Disable Strong Authentication.": "mfa_change",
				"Update user.":                   "update", "Delete application password for user.": "update", "Reset user password.": "update",
				"Change user password.": "update", "Set force change user password.": "update", "Add user.": "update",
				"Delete user.": "delete",
				"FileAccessed": "view", "FilePreviewed": "view", "MailItemsAccessed": "view", "PageViewed": "view",
				"FileDownloaded": "export", "FileSyncDownloadedFull": "export", "FileSyncDownloadedPartial": "export",
				"FileUploaded": "update", "FileModified": "update", "FileDeleted": "delete",
				"SearchQueryPerformed": "search", "SearchQueryInitiatedExchange": "search", "SearchQueryInitiatedSharePoint": "search",
			},
			"status": {"Succeeded": "success", "PartiallySucceeded": "success", "True": "success", "False": "failure", "Failed": "failure"},
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
