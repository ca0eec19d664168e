// Package pipeline runs Vigil's jobs unattended: it loads and validates
// vigil.yaml, runs a job's stages in order with timeouts and retries, records
// every run in an append-only ledger, keeps runs from overlapping with lock
// files, fires jobs on cron schedules with catch-up, writes Prometheus
// metrics, calls notification hooks and reports status.
//
// pipeline defines the Stage interface and imports no stage package; cmd/vigil
// builds the concrete stages and hands them to a Runner.
//
// # Config reference
//
// Load and Parse read vigil.yaml strictly: an unknown key, a value of the
// wrong type or a repeated key is an error, and every problem of the file is
// reported at once in a *ConfigError, one per line, as
//
//	vigil.yaml:12:5: sources.crm.tables.customers.file: file "customers.csv" does not exist
//
// Relative paths resolve against the config file's directory, except
// keys.keyset and audit.out, which resolve against home; after loading every
// path is absolute. Defaults are set in one place (applyDefaults); an empty
// value means the default. Reference returns the annotated reference of every
// key; in short:
//
//	format                      required, 1
//	home                        state directory (default vigil-home)
//	timezone                    IANA zone or Local (default Local)
//	log.level, log.format       debug|info|warn|error, text|json
//	keys.keyset                 keyset file, relative to home (default keys/keyset.json)
//	keys.passphrase_env         variable holding the passphrase; or
//	keys.key_file               file holding the master key (exactly one of both)
//	sources.<name>.type         csv | postgres | parquet
//	sources.<name>.dir          csv, parquet: directory (must exist)
//	sources.<name>.encoding     csv: auto or any WHATWG/IANA encoding name (default auto)
//	sources.<name>.delimiter    csv: one character or auto (default auto: sniffed)
//	sources.<name>.max_rejected default of the tables' max_rejected (default 0.1%)
//	sources.<name>.time_zone    zone of naive timestamps (default: timezone)
//	sources.<name>.preset       csv: salesforce | zoho | fxiaoke | jiandaoyun (CRM export shape)
//	sources.<name>.tables.<t>.max_rejected  rows that may be rejected: count or share
//	sources.<name>.tables.<t>.header_row    csv: 1-based line of the header
//	sources.<name>.tables.<t>.header        csv: false = no header row (col1..colN)
//	sources.<name>.tables.<t>.sheet         .xlsx: sheet to read (default first visible)
//	sources.<name>.tables.<t>.preset        csv: CRM export shape (default: the source's)
//	sources.<name>.tables.<t>.entry         .zip file: the CSV inside it (default from the preset)
//	sources.<name>.dsn_env      postgres: variable holding the connection string
//	sources.<name>.tables.<t>.file     csv, parquet: file in dir (must exist; default <t>.csv)
//	sources.<name>.tables.<t>.query    postgres: SELECT; or
//	sources.<name>.tables.<t>.table    postgres: [schema.]table
//	sources.<name>.tables.<t>.columns  column: string|int64|integer|decimal(p,s)|bool|date|timestamp
//	snapshot.max_rows_per_file  rows per Parquet file (default 1000000)
//	snapshot.keep_last          snapshots kept per table (default 14)
//	snapshot.chain.full_every_days   new full snapshot of a chain after this many days (default 7)
//	snapshot.chain.max_incrementals  ... or after this many links (default 30)
//	sources.<name>.tables.<t>.key          columns identifying a row: change-only snapshots
//	sources.<name>.tables.<t>.incremental  postgres: watermark, overlap, deletes, full_compare_every, soft_delete
//	classify.sample_size        rows sampled (default 10000)
//	classify.rule_packs         extra rule-pack files
//	classify.overrides          "table.column": class | none
//	classify.review_below       review threshold in [0,1] (default 0.8)
//	classify.phone_region       default region of phone numbers (ISO 3166-1 alpha-2, e.g. CN)
//	protect.unclassified        withhold | drop | pass (default withhold: "withheld: unreviewed")
//	protect.pseudonym_scope     dataset | night | global (default dataset)
//	protect.tables.<t>.columns.<c>.method   keep|drop|mask|pseudonym|generalize|redact
//	    keep_prefix, keep_suffix, mask_char             (mask)
//	    hierarchy, hierarchy_delimiter, interval, date_part  (generalize: one of hierarchy, interval, date_part)
//	    value                                           (redact)
//	    reason                  why (required for keep and insensitive)
//	    insensitive             exempt from the disclosure check's class-size test
//	    min_level, max_level    generalization levels the search may choose (quasi-identifiers)
//	protect.tables.<t>.quasi_identifiers, sensitive     column lists
//	protect.tables.<t>.k        k-anonymity, >= 2 with quasi-identifiers
//	protect.tables.<t>.l        l-diversity, 0 = off
//	protect.tables.<t>.suppression  fraction in [0,1]
//	protect.tables.<t>.gs_factor    Loss metric generalization/suppression factor in [0,1] (default 0.5)
//	protect.tables.<t>.metric   loss | entropy | entropy-monotonic | discernibility | discernibility-monotonic | aecs (default loss)
//	protect.tables.<t>.l_model  distinct | entropy (default distinct)
//	protect.tables.<t>.algorithm optimal | mondrian (default optimal)
//	protect.tables.<t>.t        t-closeness of the first sensitive column, 0 = off
//	protect.tables.<t>.t_model  equal | hierarchical (default equal); t_hierarchy: the sensitive hierarchy CSV
//	protect.tables.<t>.max_journalist_risk, max_marketer_risk  risk bounds in (0,1], 0 = off
//	protect.tables.<t>.population  CSV of the population for journalist and marketer risk
//	verify.share, verify.tables restore drills: fraction (0,1] (default 1), tables
//	verify.sample               share of all snapshots (local and on every target) read per run,
//	                            least recently verified first ("5%"; default unset: newest of each table)
//	verify.window               every snapshot verified within this span (default 30d)
//	backup.targets.<n>          type dir (path) | s3 (endpoint, bucket, prefix, region,
//	                            access_key_env, secret_key_env, path_style, ca_file)
//	retention.keep_daily, keep_weekly, keep_monthly, keep_yearly, keep_within
//	                            GFS retention of snapshot sets with snapshot.keep_last (vigil forget)
//	audit.logs[]                name, path (glob), format json|csv, mapping (default auto: by content)
//	audit.mappings.<n>          fields, values, time_format, time_zone, delimiter, columns
//	audit.suppressions          accepted findings file (must exist)
//	audit.out                   report directory, relative to home (default reports)
//	audit.fail_on               severity at or above which open findings fail the audit run
//	report.language             en | zh-CN (default en); report.organization (default controller.name)
//	report.controller, .dpo     name, contact (GDPR Art. 30(1)(a); PIPL 个人信息保护负责人)
//	report.purposes, .legal_basis, .data_subjects, .recipients, .retention   for the records
//	report.transfers[]          recipient, country, safeguard (empty list: none)
//	report.assessment           necessity, impact, assessor (PIPL Art. 56 judgements)
//	report.keep_years           keep signed report folders (default and minimum 3)
//	report.cases                case register (default cases.json beside audit.suppressions, else in home)
//	report.signed_by, .reviewers sign-off names (default dpo.name)
//	jobs.<n>.schedule           cron spec, CRON_TZ= prefix, @descriptors; empty = by hand
//	jobs.<n>.stages             stage names, in order
//	jobs.<n>.catch_up           run once on scheduler start if the last slot was missed
//	jobs.<n>.timeout            whole run (default 24h; 0s = none)
//	jobs.<n>.stage_timeout      each stage attempt (default none)
//	jobs.<n>.retries            max (default 2), backoff (30s), max_backoff (10m)
//	jobs.<n>.verify             overrides the verify section for this job
//	notify.command, notify.webhook, notify.on, notify.timeout
//	access.analyst_group, access.auditor_group, access.monitoring_group, access.metrics_dir
//
// The known stage names come from the caller (LoadOptions.KnownStages).
// Starter returns the commented config that `vigil init` writes.
//
// # Runs
//
// Runner.Run takes the job's lock (and the store lock when a stage implements
// StoreWriter), gives each stage an Env and runs the stages in order. Each
// attempt of a stage gets stage_timeout; the whole run gets the job's
// timeout. A stage error wrapping ErrTransient, or with Temporary() true, is
// retried up to retries.max times after backoff·2^n (capped at max_backoff,
// jittered to [d/2, d]); any other error fails the run at once. The first
// stage that does not end ok stops the run; the stages after it are recorded
// as skipped. A stage that ignores its cancelled context is abandoned after
// Runner.Grace. A panicking stage fails with a message naming the panic's
// type.
//
// # Ledger format
//
// <home>/ledger/runs.jsonl holds one JSON object per line, appended with
// O_APPEND under flock, one write per record, then fsync. A stage record is
// written when a stage ends, a run record when the run ends; a process killed
// mid-run leaves its stage records and, when the next run takes over its stale
// lock, an interrupted run record. Fields:
//
//	format            1
//	kind              run | stage
//	run_id            sortable id: UTC time to the µs and 6 hex digits
//	job               job name
//	stage             stage name (stage records)
//	status            ok | failed | skipped | interrupted | timeout
//	trigger           manual | schedule | catch_up (run records)
//	scheduled         the schedule slot (scheduled and catch-up runs)
//	start, end        UTC, "2006-01-02T15:04:05.000000Z"
//	duration_seconds  end - start
//	attempt           attempts made (stage records)
//	counts            {name: integer}; run records sum their stages' counts
//	detail            {name: string}
//	error             error text (never personal data), at most 2000 bytes
//	host, pid         the process that wrote it
//
// A crash can leave at most a torn last line; the next append starts on a new
// line, and ReadLedger skips undecodable lines, returning the good records
// with a *LedgerError (ErrLedgerDamaged). DuckDB reads the ledger with
//
//	SELECT * FROM read_json_auto('<home>/ledger/runs.jsonl', format='newline_delimited', ignore_errors=true)
//
// # Locks
//
// <home>/locks/job-<job>.lock, store.lock and scheduler.lock are held with
// flock(LOCK_EX|LOCK_NB) and hold JSON {pid, host, start, run_id, job}. The
// kernel drops the flock when its process dies; a lock file that still has
// content when taken belonged to a dead holder, is taken over and logged
// ("taking over stale lock from pid N"), and its run is recorded as
// interrupted. Release empties the file but keeps it. Locks need a local file
// system (flock is not reliable on every network file system).
//
// # Scheduler
//
// Scheduler computes each job's next activation with robfig/cron in the
// config's zone (or the spec's CRON_TZ), sleeps on an injectable Clock at
// most a minute at a time, and hands due jobs to RunJob. A job missed while
// the machine slept runs once when it wakes. On start, each job with
// catch_up whose last slot has no ledger run starting at or after it runs
// once, however many slots were missed. Only one scheduler runs per home.
//
// # Metrics
//
// After every run, <home>/metrics/vigil.prom is rewritten atomically from the
// ledger for node_exporter's textfile collector: vigil_last_run_timestamp_seconds,
// vigil_last_success_timestamp_seconds, vigil_run_duration_seconds,
// vigil_runs_total, vigil_rows_total (from rows_<kind> counts),
// vigil_findings (findings_<severity>) and vigil_verify_ok (verify_ok.<table>).
//
// # Exit semantics
//
// Every error of Runner.Run matches one sentinel, and StatusOf maps it to the
// status recorded in the ledger. cmd/vigil owns the exit codes (README,
// "Exit codes"):
//
//	nil              ok           exit 0
//	ErrFailed        failed       exit 1 (3 when a verification failed)
//	ErrConfig        (not run)    exit 2, nothing recorded
//	ErrLocked        skipped      exit 5 (another run of the job is in progress)
//	ErrTimeout       timeout      exit 6
//	ErrInterrupted   interrupted  exit 130 (SIGINT/SIGTERM)
//
// Runs whose status is in notify.on (default failed, timeout, interrupted)
// run notify.command without a shell, with VIGIL_JOB, VIGIL_RUN_ID,
// VIGIL_STATUS, VIGIL_STAGE and VIGIL_ERROR set and the event as JSON on
// stdin, and POST the same JSON to notify.webhook. A failing hook is logged;
// it does not change the run's status.
package pipeline
