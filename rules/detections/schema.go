package detections

import "strings"

// Column is one column of a canonical table that detection SQL may read.
type Column struct {
	Name string // column name as written in SQL
	Type string // DuckDB type
	Doc  string // one-line meaning
}

// Actions are the canonical event actions, in a stable order.
var Actions = []string{
	"login", "login_failed", "logout", "view", "search", "export",
	"update", "delete", "permission_change", "mfa_change",
	"impersonate", "app_consent", "share", "mail_forward",
}

// IsAction reports whether a is a canonical action.
func IsAction(a string) bool {
	for _, x := range Actions {
		if x == a {
			return true
		}
	}
	return false
}

// EventColumns is the canonical event schema: the columns of the events view
// that every mapping produces and every detection reads.
var EventColumns = []Column{
	{"event_id", "BIGINT", "unique id of the event within one audit run"},
	{"time", "TIMESTAMPTZ", "when the event happened"},
	{"user", "VARCHAR", "acting account (login name, lower case)"},
	{"role", "VARCHAR", "role of the acting account when the log says so"},
	{"action", "VARCHAR", "login | login_failed | logout | view | search | export | update | delete | permission_change | mfa_change | impersonate (user acts as object_id) | app_consent (OAuth consent or grant to app object_id) | share (detail: public link, external or internal) | mail_forward (detail: forwarding addresses)"},
	{"object_type", "VARCHAR", "type of the object acted on (Account, report, user, dataset, ...)"},
	{"object_id", "VARCHAR", "id of the object acted on (customer ids are masked in reports)"},
	{"record_count", "BIGINT", "records read, exported or changed"},
	{"src_ip", "VARCHAR", "source IP address"},
	{"country", "VARCHAR", "country of the source"},
	{"city", "VARCHAR", "city of the source"},
	{"latitude", "DOUBLE", "latitude of the source"},
	{"longitude", "DOUBLE", "longitude of the source"},
	{"user_agent", "VARCHAR", "client user agent"},
	{"session_id", "VARCHAR", "session identifier"},
	{"status", "VARCHAR", "success | failure"},
	{"mfa", "BOOLEAN", "whether the login used multi-factor authentication"},
	{"detail", "VARCHAR", "granted <privilege> / revoked <privilege> for permission_change; enabled / disabled / changed for mfa_change; failure reason for login_failed; public link / external / internal for share; forwarding addresses for mail_forward"},
	{"source", "VARCHAR", "name of the log source the event came from"},
}

// StaffColumns is the canonical staff reference table.
var StaffColumns = []Column{
	{"staff_id", "VARCHAR", "staff identifier"},
	{"user", "VARCHAR", "login name (lower-case e-mail) as it appears in events.user"},
	{"name", "VARCHAR", "display name"},
	{"email", "VARCHAR", "e-mail address"},
	{"role", "VARCHAR", "sales | support | manager | admin | analyst | marketing"},
	{"region", "VARCHAR", "region"},
	{"status", "VARCHAR", "active | disabled"},
	{"hire_date", "DATE", "first day of work"},
	{"leave_date", "DATE", "last day of work, NULL while employed"},
}

// OwnershipColumns is the canonical customer-ownership reference table.
var OwnershipColumns = []Column{
	{"customer_id", "VARCHAR", "customer identifier (events.object_id of customer records)"},
	{"staff_id", "VARCHAR", "owning staff member"},
	{"since", "DATE", "owner since"},
}

// Macros are the helper SQL macros detection SQL may call, defined by the
// audit engine next to the canonical tables.
var Macros = []string{
	// haversine_km is the great-circle distance in kilometres.
	`CREATE OR REPLACE MACRO haversine_km(lat1, lon1, lat2, lon2) AS
	2 * 6371.0088 * asin(sqrt(
		pow(sin(radians(lat2 - lat1) / 2), 2) +
		cos(radians(lat1)) * cos(radians(lat2)) * pow(sin(radians(lon2 - lon1) / 2), 2)))`,
}

// ReservedParameters are bound by the engine for every rule: the audit
// period as TIMESTAMPTZ values.
var ReservedParameters = []string{"period_start", "period_end"}

// SchemaSQL returns the statements that create an empty canonical schema:
// tables events, staff and ownership and the helper macros. The audit
// engine prepares every rule against it.
func SchemaSQL() []string {
	out := []string{
		createTable("events", EventColumns),
		createTable("staff", StaffColumns),
		createTable("ownership", OwnershipColumns),
	}
	return append(out, Macros...)
}

func createTable(name string, cols []Column) string {
	var b strings.Builder
	b.WriteString("CREATE TABLE ")
	b.WriteString(name)
	b.WriteString(" (")
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(QuoteIdent(c.Name))
		b.WriteByte(' ')
		b.WriteString(c.Type)
	}
	b.WriteString(")")
	return b.String()
}

// QuoteIdent quotes a SQL identifier for DuckDB.
func QuoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// FindingColumns are the columns a rule's SQL returns. user, window_start,
// window_end and event_count are required; key, detail and evidence are
// optional.
var FindingColumns = []Column{
	{"user", "VARCHAR", "account the finding is about (NULL when it is about a source, e.g. an IP)"},
	{"window_start", "TIMESTAMPTZ", "first event of the finding"},
	{"window_end", "TIMESTAMPTZ", "last event of the finding"},
	{"event_count", "BIGINT", "number of events behind the finding"},
	{"key", "VARCHAR", "what else identifies the finding (source IP, target account, city); part of the fingerprint"},
	{"detail", "VARCHAR", "one-line explanation; staff identities only, never customer data"},
	{"evidence", "BIGINT[]", "event_id values of the supporting events, in time order"},
}

// requiredFindingColumns must be present in every rule's output.
var requiredFindingColumns = map[string]bool{"user": true, "window_start": true, "window_end": true, "event_count": true}

// IsFindingColumn reports whether name is a known finding column and whether
// it is required.
func IsFindingColumn(name string) (known, required bool) {
	for _, c := range FindingColumns {
		if c.Name == name {
			return true, requiredFindingColumns[name]
		}
	}
	return false, false
}
