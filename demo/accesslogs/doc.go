// Package accesslogs generates a month of realistic, Salesforce-shaped CRM
// access logs for the demo company of package demo, with injected and
// labelled incidents, so that the audit's detections can be measured.
//
// # Input
//
// staff.csv (staff_id,name,email,role,region,status,hire_date,leave_date) and
// ownership.csv (customer_id,staff_id,since) as package demo writes them.
// Bad rows are reported with file, line and column.
//
// # Output
//
// One JSON-lines file per day, salesforce-YYYY-MM-DD.jsonl (or .jsonl.gz),
// holding records as the Salesforce REST API returns them, each with
// attributes.type: LoginEvent (successes and failures, with city, latitude,
// longitude, browser, platform and SessionLevel HIGH_ASSURANCE when MFA was
// used), LogoutEvent, LightningUriEvent (record views and updates),
// ReportEvent (report runs and exports with RowsProcessed), ListViewEvent
// and SetupAuditTrail (profile and permission-set changes). Times are UTC;
// the company works in Asia/Shanghai.
//
// Routine: people work on weekdays from about 08:15 to 19:30 local time in
// their region's city (华东 Shanghai, 华北 Beijing, 华南 Guangzhou, 华中
// Wuhan, 西南 Chengdu, 西北 Xi'an, 东北 Shenyang), some salespeople visit
// another city every week, some use the mobile app at lunch, a few work on
// weekends or late, support keeps an on-call rota at night, people mistype
// their password now and then, analysts and managers export reports in
// office hours, salespeople mostly open their own customers, administrators
// always use MFA and assign ordinary permission sets. People only work
// between their hire and leave dates.
//
// # Incidents
//
// Injected once each, labelled in access_ground_truth.json with the
// detection that must find them, the account (or key), and the time window:
// a brute-force run, a password spray, success after failures, a login from
// a new city (异地登录), impossible travel, an off-hours bulk export, a
// salesperson opening customers they do not own, admin rights granted, a
// departed account used, a dormant account waking up, too many concurrent
// sessions, an administrator logging in without MFA, and MFA disabled for an
// account. Incidents the staff list cannot support are listed as skipped.
//
// # Determinism and scale
//
// The output is a function of the options and the input files: the same
// seed gives the same bytes. Days are generated in parallel from per-day
// random streams. EventsPerDay scales routine activity for benchmarks (about
// 333,334 per day gives 10 million events in 30 days).
package accesslogs
