package audit

// Salesforce shapes beyond the REST records of salesforceMapping: Event
// Monitoring log files (EventLogFile, CSV as the API returns them or the
// same rows as JSON lines), the Login History download and the Setup Audit
// Trail download. Field names follow the EventLogFile field references of
// each event type (Login, LoginAs, Logout, Report, ReportExport, API,
// RestApi, BulkApi, BulkApi2, URI, ContentTransfer) in the Salesforce
// Object Reference, and the LoginHistory and SetupAuditTrail objects.

// Built-in Salesforce mapping names.
const (
	MappingSalesforceELF          = "salesforce_elf"          // Event Monitoring log files (CSV or JSON lines)
	MappingSalesforceLoginHistory = "salesforce_loginhistory" // Login History download (CSV)
	MappingSalesforceSetupAudit   = "salesforce_setupaudit"   // Setup Audit Trail download (CSV)
)

// varchars declares names as VARCHAR columns.
func varchars(names ...string) map[string]string {
	out := make(map[string]string, len(names))
	for _, n := range names {
		out[n] = "VARCHAR"
	}
	return out
}

// salesforceELFMapping reads EventLogFile rows. TIMESTAMP_DERIVED is ISO
// 8601 in UTC; older files only have TIMESTAMP (yyyyMMddHHmmss.SSS, GMT).
// Login rows carry USER_NAME; most other types only USER_ID(_DERIVED),
// which then names the user. Other event types (Apex, VisualforceRequest,
// ApiTotalUsage, Real-Time Event Monitoring *EventStore objects stored in
// the same upper-case shape, …) record access Vigil does not model in
// detail: a view, with the event type in detail. In LoginAs rows DELEGATED_USER_NAME is the
// administrator who impersonates and USER_ID the user impersonated.
func salesforceELFMapping() Mapping {
	const et = `"EVENT_TYPE"`
	const op = `upper(coalesce("METHOD_NAME", "METHOD", "OPERATION_TYPE", ''))`
	const rows = `coalesce("ROWS_PROCESSED", "NUMBER_RECORDS_PROCESSED", "RECORDS_PROCESSED", "ROW_COUNT")`
	return Mapping{
		Name:   MappingSalesforceELF,
		Format: "csv",
		Columns: varchars("EVENT_TYPE", "STATUS", "TIMESTAMP", "TIMESTAMP_DERIVED", "USER_NAME", "USER_ID", "USER_ID_DERIVED",
			"DELEGATED_USER_NAME", "DELEGATED_USER_ID", "CLIENT_IP", "SOURCE_IP", "LOGIN_STATUS", "SESSION_KEY", "LOGIN_KEY",
			"BROWSER_TYPE", "USER_AGENT", "PLATFORM_TYPE", "URI", "REPORT_ID", "REPORT_ID_DERIVED", "ROW_COUNT",
			"ROWS_PROCESSED", "NUMBER_RECORDS_PROCESSED", "RECORDS_PROCESSED", "ENTITY_NAME", "ENTITY_TYPE",
			"METHOD_NAME", "METHOD", "OPERATION_TYPE", "TRANSACTION_TYPE", "DOCUMENT_ID_DERIVED", "VERSION_ID",
			"SESSION_LEVEL", "COUNTRY_CODE", "STATUS_CODE", "REQUEST_STATUS", "USER_TYPE"),
		Fields: map[string]string{
			"time": `=coalesce("TIMESTAMP_DERIVED", strftime(try_strptime("TIMESTAMP", '%Y%m%d%H%M%S.%g'), '%Y-%m-%dT%H:%M:%S.%gZ'))`,
			"user": `=CASE WHEN ` + et + ` = 'LoginAs' THEN coalesce("DELEGATED_USER_NAME", "DELEGATED_USER_ID")
				ELSE coalesce("USER_NAME", "USER_ID_DERIVED", "USER_ID") END`,
			"action": `=CASE ` + et + `
				WHEN 'Login' THEN CASE WHEN "LOGIN_STATUS" = 'LOGIN_NO_ERROR' THEN 'login' ELSE 'login_failed' END
				WHEN 'LoginAs' THEN 'impersonate'
				WHEN 'Logout' THEN 'logout'
				WHEN 'Report' THEN 'view'
				WHEN 'ReportExport' THEN 'export'
				WHEN 'URI' THEN 'view'
				WHEN 'LightningPageView' THEN 'view'
				WHEN 'ContentTransfer' THEN CASE WHEN "TRANSACTION_TYPE" ILIKE '%download%' THEN 'export'
					WHEN "TRANSACTION_TYPE" ILIKE '%save%' OR "TRANSACTION_TYPE" ILIKE '%upload%' THEN 'update' ELSE 'view' END
				WHEN 'API' THEN CASE WHEN ` + op + ` IN ('QUERY', 'QUERYALL', 'QUERYMORE', 'RETRIEVE', 'SEARCH') THEN 'export'
					WHEN ` + op + ` IN ('DELETE', 'HARDDELETE', 'PURGE') THEN 'delete'
					WHEN ` + op + ` IN ('CREATE', 'UPDATE', 'UPSERT', 'MERGE', 'UNDELETE', 'CONVERTLEAD') THEN 'update' ELSE 'view' END
				WHEN 'RestApi' THEN CASE WHEN ` + op + ` = 'GET' THEN 'export' WHEN ` + op + ` = 'DELETE' THEN 'delete'
					WHEN ` + op + ` IN ('POST', 'PATCH', 'PUT') THEN 'update' ELSE 'view' END
				WHEN 'BulkApi' THEN CASE WHEN ` + op + ` IN ('QUERY', 'QUERYALL') THEN 'export'
					WHEN ` + op + ` IN ('DELETE', 'HARDDELETE') THEN 'delete' ELSE 'update' END
				WHEN 'BulkApi2' THEN CASE WHEN ` + op + ` IN ('QUERY', 'QUERYALL') THEN 'export'
					WHEN ` + op + ` IN ('DELETE', 'HARDDELETE') THEN 'delete' ELSE 'update' END
				WHEN 'BulkApiResultEventStore' THEN CASE WHEN ` + op + ` IN ('QUERY', 'QUERYALL') THEN 'export'
					WHEN ` + op + ` IN ('DELETE', 'HARDDELETE') THEN 'delete' ELSE 'update' END
				WHEN '' THEN NULL
				ELSE 'view' END`,
			"status": `=CASE WHEN ` + et + ` = 'Login' THEN CASE WHEN "LOGIN_STATUS" = 'LOGIN_NO_ERROR' THEN 'success' ELSE 'failure' END
				WHEN "REQUEST_STATUS" IN ('F', 'FAILURE') OR TRY_CAST("STATUS_CODE" AS INTEGER) >= 400
					OR upper("STATUS") IN ('FAILED', 'FAILURE', 'F') THEN 'failure' ELSE 'success' END`,
			"src_ip":     `=NULLIF(coalesce("SOURCE_IP", "CLIENT_IP"), 'Salesforce.com IP')`,
			"country":    "COUNTRY_CODE",
			"user_agent": `=coalesce("USER_AGENT", "BROWSER_TYPE")`,
			"session_id": `=coalesce("SESSION_KEY", "LOGIN_KEY")`,
			"mfa":        `=CASE WHEN ` + et + ` = 'Login' AND "SESSION_LEVEL" IS NOT NULL THEN "SESSION_LEVEL" = 'HIGH_ASSURANCE' END`,
			"object_type": `=CASE WHEN ` + et + ` IN ('Report', 'ReportExport') THEN 'report'
				WHEN ` + et + ` = 'LoginAs' THEN 'user'
				WHEN ` + et + ` = 'ContentTransfer' THEN 'file'
				ELSE coalesce("ENTITY_NAME", "ENTITY_TYPE") END`,
			"object_id": `=CASE WHEN ` + et + ` IN ('Report', 'ReportExport') THEN coalesce("REPORT_ID_DERIVED", "REPORT_ID")
				WHEN ` + et + ` = 'LoginAs' THEN coalesce("USER_NAME", "USER_ID_DERIVED", "USER_ID")
				WHEN ` + et + ` = 'ContentTransfer' THEN coalesce("DOCUMENT_ID_DERIVED", "VERSION_ID") END`,
			"record_count": "=" + rows,
			"detail": `=CASE WHEN ` + et + ` = 'Login' AND "LOGIN_STATUS" <> 'LOGIN_NO_ERROR' THEN "LOGIN_STATUS"
				WHEN ` + et + ` IN ('Report', 'ReportExport') THEN "ENTITY_NAME"
				WHEN ` + et + ` NOT IN ('Login', 'LoginAs', 'Logout', 'URI', 'LightningPageView', 'ContentTransfer', 'API', 'RestApi',
					'BulkApi', 'BulkApi2', 'BulkApiResultEventStore') THEN ` + et + ` END`,
		},
	}
}

// salesforceTimeExpr parses the date formats of Salesforce's CSV downloads
// (ISO 8601, M/d/yyyy h:mm[:ss] [AM|PM], yyyy-MM-dd HH:mm:ss), dropping a
// trailing zone abbreviation such as PDT: set the mapping's time_zone to the
// zone of the user who downloaded the file.
func salesforceTimeExpr(col string) string {
	t := `trim(regexp_replace(trim(` + col + `), '\s+[A-Z]{2,5}$', ''))`
	t = `replace(` + t + `, ',', '')`
	return `=CASE WHEN regexp_matches(` + col + `, '^\d{4}-\d\d-\d\dT') THEN ` + col + ` ELSE strftime(coalesce(
		try_strptime(` + t + `, '%m/%d/%Y %I:%M:%S %p'), try_strptime(` + t + `, '%m/%d/%Y %I:%M %p'),
		try_strptime(` + t + `, '%m/%d/%Y %H:%M:%S'), try_strptime(` + t + `, '%m/%d/%Y %H:%M'),
		try_strptime(` + t + `, '%Y-%m-%d %H:%M:%S'), try_strptime(` + t + `, '%d.%m.%Y %H:%M:%S')), '%Y-%m-%d %H:%M:%S') END`
}

// salesforceLoginHistoryMapping reads the Login History download (Setup >
// Login History > Download) and LoginHistory records exported with the API
// (Data Loader): LoginTime, UserId, SourceIp, Status, LoginType, Browser,
// Platform, Application, LoginUrl, CountryIso.
func salesforceLoginHistoryMapping() Mapping {
	const status = `coalesce("Status", '')`
	return Mapping{
		Name:   MappingSalesforceLoginHistory,
		Format: "csv",
		Columns: varchars("Login Time", "Username", "Source IP", "Status", "Login Type", "Browser", "Platform",
			"Application", "Login URL", "Location", "Country", "City", "LoginTime", "UserId", "SourceIp", "LoginType",
			"LoginUrl", "CountryIso"),
		Fields: map[string]string{
			"time":       salesforceTimeExpr(`coalesce("Login Time", "LoginTime")`),
			"user":       `=coalesce("Username", "UserId")`,
			"action":     `=CASE WHEN ` + status + ` = 'Success' THEN 'login' WHEN ` + status + ` <> '' THEN 'login_failed' END`,
			"status":     `=CASE WHEN ` + status + ` = 'Success' THEN 'success' WHEN ` + status + ` <> '' THEN 'failure' END`,
			"src_ip":     `=coalesce("Source IP", "SourceIp")`,
			"country":    `=coalesce("Country", "CountryIso")`,
			"city":       "City",
			"user_agent": `=CASE WHEN "Browser" IS NOT NULL OR "Platform" IS NOT NULL THEN concat_ws(' / ', "Browser", "Platform") END`,
			"detail":     `=CASE WHEN ` + status + ` NOT IN ('Success', '') THEN "Status" END`,
		},
	}
}

// salesforceSetupAuditMapping reads the Setup Audit Trail download (Setup >
// View Setup Audit Trail > Download): Date, User, Source Namespace Prefix,
// Action (the display text), Section, Delegate User. Delegate User is set
// when an administrator acted while logged in as User.
func salesforceSetupAuditMapping() Mapping {
	const a = `coalesce("Action", '')`
	const mfa = `(` + a + ` ILIKE '%multi-factor%' OR ` + a + ` ILIKE '%two-factor%' OR ` + a + ` ILIKE '%2fa%' OR ` + a + ` ILIKE '%MFA%')`
	const target = `NULLIF(lower(regexp_extract(` + a + `, 'user (\S+@[^\s,;:]+)', 1)), '')`
	return Mapping{
		Name:    MappingSalesforceSetupAudit,
		Format:  "csv",
		Columns: varchars("Date", "User", "Source Namespace Prefix", "Action", "Section", "Delegate User"),
		Fields: map[string]string{
			"time": salesforceTimeExpr(`"Date"`),
			"user": `=coalesce(NULLIF("Delegate User", ''), "User")`,
			"action": `=CASE
				WHEN ` + a + ` ILIKE '%Login-As%' OR ` + a + ` ILIKE 'Logged in as%' THEN 'impersonate'
				WHEN ` + mfa + ` THEN 'mfa_change'
				WHEN ` + a + ` ILIKE 'Changed profile for user%' OR ` + a + ` ILIKE 'Changed role for user%'
					OR ` + a + ` ILIKE 'Permission set%assigned to user%' OR ` + a + ` ILIKE 'Permission set%unassigned from user%'
					OR ` + a + ` ILIKE 'Deactivated user%' OR ` + a + ` ILIKE 'Froze user%' OR ` + a + ` ILIKE 'Activated user%'
					THEN 'permission_change'
				WHEN ` + a + ` ILIKE 'Deleted%' THEN 'delete'
				WHEN ` + a + ` <> '' THEN 'update' END`,
			"object_type": `=CASE WHEN ` + target + ` IS NOT NULL THEN 'user' ELSE 'setting' END`,
			"object_id":   `=` + target,
			"detail": `=CASE
				WHEN ` + mfa + ` THEN CASE WHEN ` + a + ` ILIKE '%disabl%' OR ` + a + ` ILIKE '%remov%' OR ` + a + ` ILIKE '%unassign%' OR ` + a + ` ILIKE '%disconnect%' THEN 'disabled' ELSE 'enabled' END
				WHEN ` + a + ` ILIKE 'Changed profile for user%' THEN 'granted ' || regexp_extract(` + a + `, ' to (.+)$', 1)
				WHEN ` + a + ` ILIKE 'Changed role for user%' THEN 'granted role ' || regexp_extract(` + a + `, ' to (.+)$', 1)
				WHEN ` + a + ` ILIKE 'Permission set%unassigned from user%' THEN 'revoked ' || regexp_extract(` + a + `, '^Permission set (?:group )?(.+?): unassigned', 1)
				WHEN ` + a + ` ILIKE 'Permission set%assigned to user%' THEN 'granted ' || regexp_extract(` + a + `, '^Permission set (?:group )?(.+?): assigned', 1)
				WHEN ` + a + ` ILIKE 'Deactivated user%' OR ` + a + ` ILIKE 'Froze user%' THEN 'revoked login'
				WHEN ` + a + ` ILIKE 'Activated user%' THEN 'granted login'
				END`,
		},
	}
}
