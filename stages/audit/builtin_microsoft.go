package audit

import (
	"sort"
	"strings"
)

// Microsoft shapes: the Microsoft 365 unified audit log as JSON records
// (Search-UnifiedAuditLog AuditData, the Management Activity API) and as the
// Purview portal / Export-Csv download (CreationDate, UserIds, Operations,
// AuditData; newer downloads: RecordId, CreationDate, RecordType, Operation,
// UserId, AuditData), and Entra ID sign-in and audit logs as Microsoft Graph
// returns them (signIn, directoryAudit) and as diagnostic settings stream
// them (time, operationName, category, properties{…Graph fields…}).

// Built-in Microsoft mapping names.
const (
	MappingM365Export  = "m365_export"  // unified audit log download: CreationDate, UserIds, Operations, AuditData
	MappingEntraSignIn = "entra_signin" // Entra ID sign-in logs (Graph or diagnostic settings)
	MappingEntraAudit  = "entra_audit"  // Entra ID audit logs (Graph or diagnostic settings)
)

// caseOf maps the values of expr through m; other values pass unchanged.
func caseOf(expr string, m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("CASE " + expr)
	for _, k := range keys {
		b.WriteString(" WHEN " + mustLiteral(k) + " THEN " + mustLiteral(m[k]))
	}
	b.WriteString(" ELSE " + expr + " END")
	return b.String()
}

func sqlIn(vals ...string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = mustLiteral(v)
	}
	return "(" + strings.Join(q, ", ") + ")"
}

// m365Actions maps unified audit log operations to canonical actions.
var m365Actions = map[string]string{
	"UserLoggedIn": "login", "UserLoginFailed": "login_failed", "UserLoggedOut": "logout",
	"Add member to role.": "permission_change", "Remove member from role.": "permission_change",
	"Add app role assignment to user.": "permission_change",
	"Consent to application.":          "app_consent", "Add delegated permission grant.": "app_consent",
	"Add OAuth2PermissionGrant.": "app_consent", "Add app role assignment to service principal.": "app_consent",
	"Disable Strong Authentication.": "mfa_change", "Enable Strong Authentication.": "mfa_change",
	"Update user.": "update", "Delete application password for user.": "update", "Reset user password.": "update",
	"Change user password.": "update", "Set force change user password.": "update", "Add user.": "update",
	"Delete user.": "delete",
	"FileAccessed": "view", "FilePreviewed": "view", "MailItemsAccessed": "view", "PageViewed": "view",
	"AnonymousLinkUsed": "view", "CompanyLinkUsed": "view", "SecureLinkUsed": "view",
	"FileDownloaded": "export", "FileSyncDownloadedFull": "export", "FileSyncDownloadedPartial": "export",
	"FileUploaded": "update", "FileModified": "update", "FileDeleted": "delete", "FileRecycled": "delete",
	"HardDelete": "delete", "SoftDelete": "delete", "MoveToDeletedItems": "delete",
	"SearchQueryPerformed": "search", "SearchQueryInitiatedExchange": "search", "SearchQueryInitiatedSharePoint": "search",
	"AnonymousLinkCreated": "share", "AnonymousLinkUpdated": "share", "SharingInvitationCreated": "share",
	"SharingSet": "share", "AddedToSecureLink": "share", "SecureLinkCreated": "share", "CompanyLinkCreated": "share",
	"New-InboxRule": "update", "Set-InboxRule": "update", "UpdateInboxRules": "update", "Set-Mailbox": "update",
}

// m365UserOps are operations on a directory user: object_id names the user.
var m365UserOps = []string{"Add member to role.", "Remove member from role.", "Disable Strong Authentication.",
	"Enable Strong Authentication.", "Update user.", "Delete application password for user.", "Reset user password.",
	"Change user password.", "Set force change user password.", "Add user.", "Delete user."}

// m365Forwarding are the Exchange cmdlet parameters that forward mail.
var m365Forwarding = []string{"ForwardTo", "ForwardAsAttachmentTo", "RedirectTo", "ForwardingSmtpAddress", "ForwardingAddress"}

// emptyJSON is true when a ModifiedProperties value holds nothing ("", "[]").
func emptyJSON(x string) string {
	return `(coalesce(regexp_replace(` + x + `, '[\s\[\]{}"]', '', 'g'), '') = '')`
}

// mfaDetail describes an MFA change from the StrongAuthentication*
// properties of a user update: requirement or methods emptied = disabled.
func mfaDetail(req, meth string) string {
	return `CASE WHEN ` + req + ` IS NOT NULL THEN CASE
			WHEN ` + emptyJSON(req+`."NewValue"`) + ` AND NOT ` + emptyJSON(req+`."OldValue"`) + ` THEN 'disabled'
			WHEN NOT ` + emptyJSON(req+`."NewValue"`) + ` THEN 'enabled' ELSE 'changed' END
		WHEN ` + meth + ` IS NOT NULL THEN CASE
			WHEN ` + emptyJSON(meth+`."NewValue"`) + ` AND NOT ` + emptyJSON(meth+`."OldValue"`) + ` THEN 'disabled (all methods removed)'
			WHEN ` + emptyJSON(meth+`."OldValue"`) + ` THEN 'enabled' ELSE 'changed' END END`
}

// m365Fields builds the unified audit log mapping over accessors: col reads
// a scalar field of the record, list a list of {Name, Value|NewValue|OldValue}.
func m365Fields(col func(string) string, props, ext, dev, params string) map[string]string {
	op := col("Operation")
	first := func(list, name string) string {
		return `list_filter(` + list + `, lambda p: p."Name" = '` + name + `')[1]`
	}
	req, meth := first(props, "StrongAuthenticationRequirement"), first(props, "StrongAuthenticationMethod")
	fwdNames := sqlIn(m365Forwarding...)
	fwd := `NULLIF(array_to_string(list_transform(list_filter(` + params + `, lambda p: p."Name" IN ` + fwdNames +
		` AND coalesce(p."Value", '') <> ''), lambda p: lower(p."Value")), ','), '')`
	// Outlook's own rules (UpdateInboxRules) keep recipients in OperationProperties.
	ruleFwd := `CASE WHEN ` + op + ` = 'UpdateInboxRules' AND CAST(to_json(` + params + `) AS VARCHAR) ILIKE '%forward%' THEN
		NULLIF(array_to_string(regexp_extract_all(lower(CAST(to_json(` + params + `) AS VARCHAR)), '[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]+'), ','), '') END`
	forwardTo := `coalesce(` + fwd + `, ` + ruleFwd + `)`
	ip := `coalesce(` + col("ClientIP") + `, ` + col("ActorIpAddress") + `)`
	target := col("TargetUserOrGroupType")
	return map[string]string{
		"time": "=" + col("CreationTime"),
		"user": "=" + col("UserId"),
		"action": `=CASE WHEN ` + op + ` = 'Update user.' AND (` + req + ` IS NOT NULL OR ` + meth + ` IS NOT NULL) THEN 'mfa_change'
			WHEN ` + op + ` IN ('New-InboxRule', 'Set-InboxRule', 'UpdateInboxRules', 'Set-Mailbox') AND ` + forwardTo + ` IS NOT NULL THEN 'mail_forward'
			ELSE ` + caseOf(op, m365Actions) + ` END`,
		"status": `=CASE WHEN ` + col("ResultStatus") + ` IN ('Succeeded', 'PartiallySucceeded', 'True', 'Success') THEN 'success'
			WHEN ` + col("ResultStatus") + ` IN ('Failed', 'False', 'Failure') THEN 'failure' END`,
		"src_ip": `=CASE
			WHEN regexp_matches(` + ip + `, '^\d+\.\d+\.\d+\.\d+:\d+$') THEN regexp_extract(` + ip + `, '^([\d.]+):', 1)
			WHEN regexp_matches(` + ip + `, '^\[.*\](:\d+)?$') THEN regexp_extract(` + ip + `, '^\[(.*)\]', 1)
			ELSE ` + ip + ` END`,
		"user_agent": "=" + first(ext, "UserAgent") + `."Value"`,
		"session_id": "=" + first(dev, "SessionId") + `."Value"`,
		"object_type": `=CASE WHEN ` + op + ` IN ` + sqlIn(m365UserOps...) + ` THEN 'user'
			WHEN ` + op + ` IN ` + sqlIn("Consent to application.", "Add delegated permission grant.", "Add OAuth2PermissionGrant.", "Add app role assignment to service principal.") + ` THEN 'application'
			WHEN ` + col("Workload") + ` IN ('SharePoint', 'OneDrive') THEN 'file' WHEN ` + col("Workload") + ` = 'Exchange' THEN 'mailbox' END`,
		"object_id": `=CASE WHEN ` + op + ` IN ` + sqlIn(m365UserOps...) + ` THEN lower(` + col("ObjectId") + `)
			ELSE ` + col("ObjectId") + ` END`,
		"detail": `=CASE
			WHEN ` + op + ` = 'Add member to role.' THEN 'granted ' || coalesce(` + first(props, "Role.DisplayName") + `."NewValue", 'role')
			WHEN ` + op + ` = 'Remove member from role.' THEN 'revoked ' || coalesce(` + first(props, "Role.DisplayName") + `."OldValue", 'role')
			WHEN ` + op + ` = 'Disable Strong Authentication.' THEN 'disabled'
			WHEN ` + op + ` = 'Enable Strong Authentication.' THEN 'enabled'
			WHEN ` + op + ` = 'Update user.' THEN ` + mfaDetail(req, meth) + `
			WHEN ` + op + ` IN ('AnonymousLinkCreated', 'AnonymousLinkUpdated') THEN 'public link'
			WHEN ` + op + ` IN ('SharingInvitationCreated', 'SharingSet', 'AddedToSecureLink', 'SecureLinkCreated') THEN
				CASE WHEN ` + target + ` IN ('Guest', 'External', 'Anonymous') THEN 'external'
					WHEN ` + col("TargetUserOrGroupName") + ` ILIKE '%#ext#%' THEN 'external' ELSE 'internal' END
			WHEN ` + op + ` = 'CompanyLinkCreated' THEN 'internal'
			WHEN ` + op + ` IN ('New-InboxRule', 'Set-InboxRule', 'UpdateInboxRules', 'Set-Mailbox') THEN ` + forwardTo + `
			WHEN ` + op + ` = 'UserLoginFailed' THEN ` + col("LogonError") + `
			END`,
	}
}

const (
	nameValue    = `STRUCT("Name" VARCHAR, "Value" VARCHAR)[]`
	nameNewValue = `STRUCT("Name" VARCHAR, "NewValue" VARCHAR, "OldValue" VARCHAR)[]`
)

// m365Mapping reads unified audit log records as JSON lines (CreationTime
// in UTC without an offset).
func m365Mapping() Mapping {
	cols := varchars("CreationTime", "Operation", "ResultStatus", "UserId", "ClientIP", "ActorIpAddress", "ObjectId",
		"Workload", "LogonError", "TargetUserOrGroupType", "TargetUserOrGroupName")
	cols["ExtendedProperties"] = nameValue
	cols["DeviceProperties"] = nameValue
	cols["Parameters"] = nameValue
	cols["OperationProperties"] = nameValue
	cols["ModifiedProperties"] = nameNewValue
	col := func(n string) string { return quoteIdent(n) }
	return Mapping{
		Name: MappingM365, Format: "json", Columns: cols,
		Fields: m365Fields(col, `"ModifiedProperties"`, `"ExtendedProperties"`, `"DeviceProperties"`,
			`list_concat(coalesce("Parameters", []), coalesce("OperationProperties", []))`),
	}
}

// m365ExportMapping reads the audit log search download: each row's
// AuditData holds the record as JSON; the row's own columns are fallbacks.
func m365ExportMapping() Mapping {
	ad := func(path string) string { return `json_extract_string("AuditData", '$.` + path + `')` }
	col := func(n string) string {
		switch n {
		case "CreationTime":
			return `coalesce(` + ad(n) + `, "CreationDate")`
		case "UserId":
			return `coalesce(` + ad(n) + `, "UserIds", "UserId")`
		case "Operation":
			return `coalesce(` + ad(n) + `, "Operations", "Operation")`
		}
		return ad(n)
	}
	list := func(n, typ string) string {
		return `coalesce(from_json(json_extract("AuditData", '$.` + n + `'), '` + typ + `'), [])`
	}
	nv := `[{"Name":"VARCHAR","Value":"VARCHAR"}]`
	nnv := `[{"Name":"VARCHAR","NewValue":"VARCHAR","OldValue":"VARCHAR"}]`
	return Mapping{
		Name: MappingM365Export, Format: "csv",
		Columns: varchars("CreationDate", "UserIds", "Operations", "AuditData", "RecordId", "RecordType", "Operation", "UserId"),
		Fields: m365Fields(col, list("ModifiedProperties", nnv), list("ExtendedProperties", nv), list("DeviceProperties", nv),
			`list_concat(`+list("Parameters", nv)+`, `+list("OperationProperties", nv)+`)`),
	}
}

// entraField reads a Graph field from a Graph record or from the properties
// of a diagnostic-settings record. path is a JSON path below the record.
func entraField(path string) string {
	i := strings.IndexAny(path, ".[")
	top, tail := path, "$"
	if i >= 0 {
		top, tail = path[:i], "$"+path[i:]
	}
	return `coalesce(json_extract_string("properties", '$.` + path + `'), json_extract_string(` + quoteIdent(top) + `, '` + tail + `'))`
}

// entraSignInMapping reads Entra ID sign-ins: Graph signIn (createdDateTime,
// userPrincipalName, ipAddress, status{errorCode, failureReason},
// location{city, countryOrRegion, geoCoordinates}, authenticationRequirement,
// appDisplayName, clientAppUsed, userAgent, sessionId) or the same inside
// properties of a SignInLogs diagnostic record (time, resultType,
// callerIpAddress).
func entraSignInMapping() Mapping {
	// resultType is the error code ("0" = success); some collectors write
	// Success / Failure instead.
	rt := `json_extract_string("resultType", '$')`
	code := `coalesce(TRY_CAST(` + entraField("status.errorCode") + ` AS BIGINT), TRY_CAST(` + rt + ` AS BIGINT),
		CASE lower(` + rt + `) WHEN 'success' THEN 0 WHEN 'failure' THEN -1 END)`
	return Mapping{
		Name: MappingEntraSignIn, Format: "json",
		Columns: map[string]string{
			"time": "JSON", "properties": "JSON", "createdDateTime": "JSON", "userPrincipalName": "JSON", "ipAddress": "JSON",
			"status": "JSON", "location": "JSON", "authenticationRequirement": "JSON", "appDisplayName": "JSON",
			"userAgent": "JSON", "sessionId": "JSON", "resultType": "JSON", "callerIpAddress": "JSON", "category": "JSON",
			"clientAppUsed": "JSON", "id": "JSON", "servicePrincipalName": "JSON", "servicePrincipalId": "JSON",
		},
		Fields: map[string]string{
			"time": `=coalesce(` + entraField("createdDateTime") + `, json_extract_string("time", '$'))`,
			// Service-principal sign-ins (ServicePrincipalSignInLogs) have no
			// user: the service principal is the account.
			"user":    `=coalesce(` + entraField("userPrincipalName") + `, ` + entraField("servicePrincipalName") + `, ` + entraField("servicePrincipalId") + `)`,
			"action":  `=CASE WHEN ` + code + ` = 0 THEN 'login' WHEN ` + code + ` IS NOT NULL THEN 'login_failed' END`,
			"status":  `=CASE WHEN ` + code + ` = 0 THEN 'success' WHEN ` + code + ` IS NOT NULL THEN 'failure' END`,
			"src_ip":  `=coalesce(` + entraField("ipAddress") + `, json_extract_string("callerIpAddress", '$'))`,
			"country": "=" + entraField("location.countryOrRegion"), "city": "=" + entraField("location.city"),
			"latitude":   "=" + entraField("location.geoCoordinates.latitude"),
			"longitude":  "=" + entraField("location.geoCoordinates.longitude"),
			"user_agent": "=" + entraField("userAgent"),
			"session_id": "=" + entraField("sessionId"),
			"mfa": `=CASE ` + entraField("authenticationRequirement") + ` WHEN 'multiFactorAuthentication' THEN true
				WHEN 'singleFactorAuthentication' THEN false END`,
			"object_type": "='application'",
			"object_id":   "=" + entraField("appDisplayName"),
			"detail":      `=CASE WHEN ` + code + ` <> 0 THEN coalesce(` + entraField("status.failureReason") + `, CAST(` + code + ` AS VARCHAR)) END`,
		},
	}
}

// entraAuditActions maps directoryAudit activities to canonical actions.
var entraAuditActions = map[string]string{
	"Add member to role": "permission_change", "Remove member from role": "permission_change",
	"Add eligible member to role": "permission_change", "Add app role assignment to user": "permission_change",
	"Consent to application": "app_consent", "Add delegated permission grant": "app_consent",
	"Add app role assignment to service principal": "app_consent", "Add OAuth2PermissionGrant": "app_consent",
	"Disable Strong Authentication": "mfa_change", "Enable Strong Authentication": "mfa_change",
	"User registered security info": "mfa_change", "Admin registered security info": "mfa_change",
	"User deleted security info": "mfa_change", "Admin deleted security info": "mfa_change",
	"User changed default security info": "mfa_change", "Admin updated security info": "mfa_change",
	"Update user": "update", "Add user": "update", "Reset user password": "update", "Change user password": "update",
	"Reset password (by admin)": "update", "Change password (self-service)": "update", "Delete user": "delete",
	"Hard delete user": "delete", "Restore user": "update", "Add group": "update", "Update group": "update",
	"Add member to group": "update", "Remove member from group": "update",
}

// entraAuditMapping reads Entra ID audit logs: Graph directoryAudit
// (activityDateTime, activityDisplayName, result, initiatedBy{user{
// userPrincipalName, ipAddress}, app{displayName}}, targetResources[{
// userPrincipalName, displayName, modifiedProperties[{displayName,
// oldValue, newValue}]}]) or the same inside properties of an AuditLogs
// diagnostic record (time, operationName, resultSignature).
func entraAuditMapping() Mapping {
	act := `coalesce(` + entraField("activityDisplayName") + `, json_extract_string("operationName", '$'))`
	props := `coalesce(from_json(coalesce(json_extract("properties", '$.targetResources[0].modifiedProperties'),
		json_extract("targetResources", '$[0].modifiedProperties')), '[{"displayName":"VARCHAR","oldValue":"VARCHAR","newValue":"VARCHAR"}]'), [])`
	first := func(name string) string {
		return `list_filter(` + props + `, lambda p: p."displayName" = '` + name + `')[1]`
	}
	// mfaDetail reads NewValue/OldValue; directoryAudit spells them newValue/oldValue.
	asUAL := func(x string) string {
		return `CASE WHEN ` + x + ` IS NOT NULL THEN {'NewValue': ` + x + `."newValue", 'OldValue': ` + x + `."oldValue"} END`
	}
	req, meth := asUAL(first("StrongAuthenticationRequirement")), asUAL(first("StrongAuthenticationMethod"))
	target := `coalesce(` + entraField("targetResources[0].userPrincipalName") + `, ` + entraField("targetResources[0].displayName") + `)`
	role := `trim(` + first("Role.DisplayName") + `."newValue", '"')`
	oldRole := `trim(` + first("Role.DisplayName") + `."oldValue", '"')`
	res := `lower(coalesce(` + entraField("result") + `, json_extract_string("resultSignature", '$')))`
	// targetResources by type: PIM and role events list the role first and
	// the user after it.
	targets := `coalesce(from_json(coalesce(json_extract("properties", '$.targetResources'), "targetResources"),
		'[{"type":"VARCHAR","displayName":"VARCHAR","userPrincipalName":"VARCHAR"}]'), [])`
	ofType := func(typ string) string {
		return `list_filter(` + targets + `, lambda r: r."type" = '` + typ + `')[1]`
	}
	pimRole := `(` + act + ` ILIKE '%member to role%' OR ` + act + ` ILIKE '%role assignment%' OR ` + act + ` ILIKE '%elevated their access%')`
	pimGrant := `((` + act + ` ILIKE 'Add%member to role%' AND ` + act + ` ILIKE '%completed%') OR ` + act + ` ILIKE '%elevated their access%'
		OR ` + act + ` ILIKE 'Add role assignment%')`
	pimRevoke := `((` + act + ` ILIKE 'Remove%member from role%' AND ` + act + ` NOT ILIKE '%requested%') OR ` + act + ` ILIKE 'Remove role assignment%')`
	// A conditional-access policy that required MFA and no longer does (MFA
	// removed from its grant controls, or the policy switched off).
	ca := `list_filter(` + props + `, lambda p: p."displayName" = 'ConditionalAccessPolicy')[1]`
	mfaGrant := func(v string) string {
		return `regexp_matches(coalesce(` + v + `, ''), '"builtInControls"\s*:\s*\[[^\]]*"mfa"', 'i')`
	}
	caMFAOff := `(` + ca + ` IS NOT NULL AND ` + mfaGrant(ca+`."oldValue"`) + ` AND ` + ca + `."oldValue" ILIKE '%"state":"enabled"%'
		AND (NOT ` + mfaGrant(ca+`."newValue"`) + ` OR ` + ca + `."newValue" NOT ILIKE '%"state":"enabled"%'))`
	known := caseOf(act, entraAuditActions)
	// Activities not in the table are directory changes of their
	// operationType: Delete is a delete, anything else an update.
	fallback := `CASE WHEN lower(` + entraField("operationType") + `) = 'delete' THEN 'delete' ELSE 'update' END`
	elevated := `regexp_extract(` + act + `, 'access to (.+?) for ', 1)`
	return Mapping{
		Name: MappingEntraAudit, Format: "json",
		Columns: map[string]string{
			"time": "JSON", "properties": "JSON", "activityDateTime": "JSON", "activityDisplayName": "JSON", "result": "JSON",
			"initiatedBy": "JSON", "targetResources": "JSON", "operationName": "JSON", "resultSignature": "JSON",
			"category": "JSON", "id": "JSON", "callerIpAddress": "JSON", "operationType": "JSON",
		},
		Fields: map[string]string{
			"time": `=coalesce(` + entraField("activityDateTime") + `, json_extract_string("time", '$'))`,
			"user": `=coalesce(` + entraField("initiatedBy.user.userPrincipalName") + `, ` + entraField("initiatedBy.app.displayName") + `)`,
			"action": `=CASE WHEN ` + act + ` = 'Update user' AND (` + req + ` IS NOT NULL OR ` + meth + ` IS NOT NULL) THEN 'mfa_change'
				WHEN ` + caMFAOff + ` THEN 'mfa_change'
				WHEN ` + known + ` IN ` + actionList() + ` THEN ` + known + `
				WHEN ` + pimRole + ` THEN 'permission_change'
				WHEN ` + act + ` IS NOT NULL THEN ` + fallback + ` END`,
			"status": `=CASE WHEN ` + res + ` IN ('success', 'succeeded') THEN 'success' WHEN ` + res + ` IN ('failure', 'failed', 'timeout') THEN 'failure' END`,
			"src_ip": `=coalesce(` + entraField("initiatedBy.user.ipAddress") + `, json_extract_string("callerIpAddress", '$'))`,
			"object_type": `=CASE WHEN ` + known + ` = 'app_consent' THEN 'application'
				WHEN ` + caMFAOff + ` THEN 'policy'
				WHEN ` + act + ` ILIKE '%elevated their access%' THEN 'user'
				WHEN ` + pimRole + ` AND ` + ofType("User") + ` IS NOT NULL THEN 'user'
				WHEN ` + entraField("targetResources[0].userPrincipalName") + ` IS NOT NULL THEN 'user' END`,
			"object_id": `=CASE WHEN ` + act + ` ILIKE '%elevated their access%' THEN lower(` + entraField("initiatedBy.user.userPrincipalName") + `)
				WHEN ` + pimRole + ` AND ` + ofType("User") + ` IS NOT NULL THEN lower(coalesce(` + ofType("User") + `."userPrincipalName", ` + ofType("User") + `."displayName"))
				WHEN ` + entraField("targetResources[0].userPrincipalName") + ` IS NOT NULL THEN lower(` + target + `) ELSE ` + target + ` END`,
			"detail": `=CASE
				WHEN ` + act + ` IN ('Add member to role', 'Add eligible member to role') THEN 'granted ' || coalesce(` + role + `, 'role')
				WHEN ` + act + ` = 'Remove member from role' THEN 'revoked ' || coalesce(` + oldRole + `, 'role')
				WHEN ` + act + ` = 'Disable Strong Authentication' THEN 'disabled'
				WHEN ` + act + ` = 'Enable Strong Authentication' THEN 'enabled'
				WHEN ` + act + ` IN ('User registered security info', 'Admin registered security info') THEN 'enabled'
				WHEN ` + act + ` IN ('User deleted security info', 'Admin deleted security info') THEN 'changed (method deleted)'
				WHEN ` + act + ` IN ('User changed default security info', 'Admin updated security info') THEN 'changed'
				WHEN ` + act + ` = 'Update user' THEN ` + mfaDetail(req, meth) + `
				WHEN ` + caMFAOff + ` THEN 'disabled (conditional access policy ' || coalesce(` + target + `, '?') || ')'
				WHEN ` + pimGrant + ` THEN 'granted ' || coalesce(` + ofType("Role") + `."displayName", NULLIF(` + elevated + `, ''), 'role')
				WHEN ` + pimRevoke + ` THEN 'revoked ' || coalesce(` + ofType("Role") + `."displayName", 'role')
				WHEN ` + pimRole + ` THEN ` + act + `
				WHEN NOT (` + known + ` IN ` + actionList() + `) THEN ` + act + `
				END`,
		},
	}
}
