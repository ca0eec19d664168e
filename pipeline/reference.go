package pipeline

// Reference returns the annotated reference of every vigil.yaml key: what it
// means, its type and default. `vigil config reference` prints it.
func Reference() string { return reference }

// Starter returns a commented starter vigil.yaml, as written by `vigil init`.
// It loads without error once ./demo-data/customers.csv exists (see
// `vigil demo generate`).
func Starter() []byte { return []byte(starter) }

const reference = `# vigil.yaml reference (format 1)
#
# Unknown keys, wrong types and repeated keys are errors. An empty value
# (key: with nothing after it) means the default. Relative paths resolve
# against the directory of the config file, except keys.keyset and audit.out,
# which resolve against home. Durations are Go durations: 90s, 30m, 2h, 1h30m.
# Names of sources, tables, jobs, logs, mappings and backup targets start with
# a letter or _ and hold letters, digits, _ and - (at most 64).

format: 1                     # required; the config format version

home: vigil-home              # state directory: store/, datasets/, ledger/,
                              # reports/, locks/, metrics/ (default vigil-home)

timezone: Local               # IANA zone (e.g. Asia/Shanghai) for schedules and
                              # reports; default Local

log:
  level: info                 # debug | info | warn | error (default info)
  format: text                # text | json (default text)

keys:
  keyset: keys/keyset.json    # encrypted keyset, relative to home (default keys/keyset.json)
  passphrase_env: VIGIL_PASSPHRASE  # variable holding the passphrase (argon2id), or
  # key_file: /etc/vigil/master.key # a file holding the master key;
                              # exactly one of passphrase_env and key_file

sources:                      # CRM sources, by name
  crm:
    type: csv                 # required: csv | postgres | parquet
    dir: ./demo-data          # csv, parquet: directory of the files (required, must exist)
    encoding: auto            # csv: auto (default: BOM, else the best-scoring of utf-8, gb18030, big5,
                              #   shift_jis, euc-jp, euc-kr, windows-1252, iso-8859-15) or any WHATWG/IANA
                              #   name (utf-8, windows-1252, iso-8859-1, gbk, big5, utf-16le ...)
    delimiter: auto           # csv: one character, or auto (default): sniffed among , ; tab | (sep= line honoured)
    # max_rejected: 0.1%      # default of the tables' max_rejected
    # time_zone: Asia/Shanghai  # zone of timestamps without one (default: timezone above)
    # preset: salesforce      # csv: the CRM export shape: salesforce | zoho | fxiaoke | jiandaoyun
                              #   (encoding, file type, id/owner/staff columns, system fields); see README
    # dsn_env: CRM_DSN        # postgres: variable holding the connection string (required)
    tables:                   # required, at least one; table names are unique across sources
      customers:
        file: customers.csv   # csv, parquet: relative to dir, must exist (default <table>.csv / .parquet)
        # query: SELECT ...   # postgres: a SELECT to copy, or
        # table: public.customers  # postgres: a [schema.]table to copy; exactly one of both
        columns:              # optional declared types, by column:
          id: int64           # string | int64 (or integer) | decimal(p,s) | bool | date | timestamp
          amount: decimal(12,2)
        # key: [id]           # columns identifying a row: nights become change-only snapshots (chains)
        # incremental:        # postgres, with key: read only changed rows
        #   watermark: updated_at    # column that grows on every insert and update (timestamp or integer)
        #   overlap: 1h              # re-read rows this far below the last watermark (default 1h; integers: 0)
        #   deletes: full_compare    # full_compare (read all keys every full_compare_every nights) | soft_delete | none
        #   full_compare_every: 1    # nights between key comparisons (default 1: every night)
        #   soft_delete: deleted_at  # deletes: soft_delete: a row with this column set counts as deleted
        # max_rejected: 0.1%  # rows that may be rejected: a count (25) or a share (default 0.1%);
                              #   above it the table fails and nothing of it is committed
        # header_row: 3       # csv: 1-based line of the header (title rows above it skipped)
        # header: false       # csv: the file has no header row; columns are col1..colN
        # sheet: 数据         # file: customers.xlsx: the sheet (default the first visible one);
                              #   .xlsx files are read as workbooks, .xls is refused
        # preset: zoho        # csv: this table's CRM export shape (default: the source's preset)
        # entry: Contact.csv  # file: export.zip: the CSV inside the zip, read straight from it
                              #   (default: the preset's file for the table, else <table>.csv)

snapshot:
  max_rows_per_file: 1000000  # rows per encrypted Parquet file (default 1000000)
  keep_last: 14               # snapshots kept per table (default 14, at least 1); chain links a kept snapshot needs are kept too
  chain:                      # tables with a key
    full_every_days: 7        # start a new chain (full snapshot) when its full snapshot is this old (default 7; 0: never by age)
    max_incrementals: 30      # ... or after this many incremental/unchanged nights (default 30)

classify:
  sample_size: 10000          # rows sampled per table (default 10000)
  rule_packs: []              # extra rule-pack YAML files, beside the built-in packs
  overrides:                  # "table.column": data class, or none (not personal)
    customers.notes: free_text
  review_below: 0.8           # confidence below which a column is flagged for review (default 0.8)
  phone_region: CN            # default region of phone numbers (ISO 3166-1 alpha-2); optional

protect:
  unclassified: withhold      # withhold | drop | pass: columns with no class and no policy (default withhold)
  pseudonym_scope: dataset    # dataset | night | global: across what pseudonym tokens link (default dataset)
  tables:                     # policies by table (tables must be defined in sources)
    customers:
      columns:                # by column name:
        phone: {method: mask, keep_prefix: 3, mask_char: "*"}   # operator prefix OR last digits (keep_suffix: 4), never both
        name: {method: pseudonym}   # keyed token, stable across runs
        notes: {method: drop}
        email: {method: redact, value: "[REDACTED]"}
        city: {method: keep, reason: "city is generalized upstream; reviewed by the DPO"}   # keep needs a reason
        amount: {method: keep, insensitive: true, reason: "order totals are published"}  # no class-size test
        birth_year: {method: generalize, interval: 5, min_level: 1, max_level: 1}  # pinned grain (quasi-identifier)
        age: {method: generalize, hierarchy: h/age.csv, hierarchy_delimiter: ";"}
        income: {method: generalize, interval: 10000}
        birth_date: {method: generalize, date_part: year}
        # method: keep | drop | mask | pseudonym | generalize | redact (required)
        # keep_prefix, keep_suffix: mask only, characters left clear (default 0)
        # mask_char: mask only, one character (default *)
        # generalize takes exactly one of:
        #   hierarchy: CSV file, one row per value, levels left to right (ARX format)
        #   hierarchy_delimiter: its delimiter (default ;)
        #   interval: numeric bucket width
        #   date_part: year | month | day
        # value: redact only, the replacement (default [REDACTED])
      quasi_identifiers: [gender, birth_date, postal_code]   # empty with k set: every column classified
                              # as a quasi-identifier (built-in hierarchies, else value → *)
      sensitive: [income]     # sensitive attributes (for l-diversity and risk)
      k: 5                    # k-anonymity; 0 = off, else at least 2
      l: 0                    # l-diversity; 0 = off, else at least 2 (needs sensitive)
      suppression: 0.04       # largest fraction of rows that may be suppressed, [0, 1] (1 = as ARX allows)
      gs_factor: 0.5          # Loss metric: generalization/suppression weighting in [0, 1] (ARX; default 0.5)
      metric: loss            # loss | entropy | entropy-monotonic | discernibility |
                              # discernibility-monotonic | aecs (ARX's definitions; default loss)
      l_model: distinct       # distinct | entropy (default distinct)
      algorithm: optimal      # optimal (full-domain lattice search, like ARX) | mondrian (default optimal)
      t: 0                    # t-closeness of the first sensitive column, (0, 1]; 0 = off
      t_model: equal          # equal | hierarchical ground distance (ARX; default equal)
      # t_hierarchy: FILE     # hierarchical: the sensitive column's hierarchy CSV (ARX format, ;)
      max_journalist_risk: 0  # bound on the highest journalist risk (1/smallest class), 0 = off
      max_marketer_risk: 0    # bound on the average (marketer) risk of released rows, 0 = off
      # population: FILE      # CSV (header; ; or ,) of the population this table is a sample of:
                              # journalist and marketer risk in _vigil.json are computed against it

verify:                       # restore drills (the verify stage)
  share: 1.0                  # fraction of snapshot files restored, (0, 1] (default 1)
  tables: []                  # only these tables; empty = all
  sample: 5%                  # read this share of all snapshots (local and every target) per run,
                              # least recently verified first, plus any not verified within window
                              # (default unset: the newest snapshot of each table)
  window: 30d                 # every snapshot verified within this span (default 30d); status shows coverage

backup:                       # off-site copies of the store (the backup stage)
  targets:
    offsite:
      type: s3                # required: dir | s3
      endpoint: https://s3.example.com   # s3: URL (required)
      bucket: vigil           # s3: required
      prefix: prod/           # s3: key prefix
      region: us-east-1       # s3
      access_key_env: AWS_ACCESS_KEY_ID      # s3: variable holding the access key id (required)
      secret_key_env: AWS_SECRET_ACCESS_KEY  # s3: variable holding the secret key (required)
      path_style: true        # s3: path-style addressing (default false)
      # ca_file: /etc/vigil/ca.pem  # s3: PEM CA certificates to trust besides the system's (a private CA);
                              # TLS certificates are always verified
    usb:
      type: dir
      path: /mnt/backup/vigil # dir: directory (required)

retention:                    # GFS retention of snapshot sets, applied after each run that writes
                              # snapshots, locally and on every backup target (with snapshot.keep_last);
                              # the newest intact snapshot of a table is never removed (see vigil forget)
  keep_daily: 7               # newest set of each of the last N days (default 0)
  keep_weekly: 4              # newest set of each of the last N ISO weeks (default 0)
  keep_monthly: 12            # newest set of each of the last N months (default 0)
  keep_yearly: 3              # newest set of each of the last N years (default 0)
  keep_within: 30d            # every set within this span of the newest: h d w m y (default none)

audit:
  logs:                       # access logs to audit
    - name: crm               # required, unique
      path: logs/*.jsonl      # required: a file or glob
      format: json            # json (JSON lines) | csv (default json)
      mapping: auto           # auto (chosen per file by content) | salesforce | salesforce_elf |
                              #   salesforce_loginhistory | salesforce_setupaudit | m365 | m365_export |
                              #   entra_signin | entra_audit | vigil | a name from mappings (default auto)
  mappings:                   # user-defined log shapes, by name
    myshape:
      fields:                 # canonical field: field of the log; time is required
        time: ts              # canonical fields: time user role action object_type object_id
        user: actor           #   record_count src_ip country city latitude longitude
        action: event         #   user_agent session_id status mfa detail
      values:                 # canonical field: {log value: canonical value}
        action: {LOGIN: login}
      time_format: iso8601    # iso8601 | unix | unix_ms | a strptime format such as %d/%m/%Y %H:%M:%S (default iso8601)
      time_zone: Asia/Shanghai  # zone of times written without an offset (default UTC)
      delimiter: ";"          # csv: field delimiter (default: detected)
      columns: {attributes: "STRUCT(type VARCHAR)"}  # json: DuckDB types of source columns (default VARCHAR / JSON)
  suppressions: suppressions.yaml  # accepted findings; must exist if set
  out: reports                # report directory, relative to home (default reports)
  fail_on: critical           # open findings at or above this severity (info|low|medium|high|critical) fail the audit run, which notifies

report:                       # the audit report and the formal records; empty fields are listed as gaps
  language: en                # en | zh-CN (also vigil audit --lang)
  organization: ACME Ltd      # on the cover (default controller.name)
  controller: {name: ACME Ltd, contact: privacy@acme.example}   # GDPR Art. 30(1)(a), PIPL 个人信息处理者
  dpo: {name: Li Wei, contact: dpo@acme.example}                 # DPO / 个人信息保护负责人
  purposes: [customer relationship management]
  legal_basis: [contract (GDPR Art. 6(1)(b); PIPL Art. 13(2))]
  data_subjects: [customers, staff]
  recipients: [internal sales and support]
  transfers: []               # [{recipient: ..., country: ..., safeguard: ...}]
  retention: 3 years after the end of the customer relationship
  assessment:                 # PIPL Art. 56 judgements only a person makes
    necessity: ""             # lawful, legitimate and necessary purpose and method
    impact: ""                # impact on rights and interests, security risks
    assessor: ""
  keep_years: 3               # keep report folders this long; at least 3 (PIPL Art. 56)
  cases: cases.json           # case register (default beside audit.suppressions, else in home)
  signed_by: ""               # sign-off name (default dpo.name)
  reviewers: []

jobs:                         # at least one
  nightly:
    schedule: "CRON_TZ=Asia/Shanghai 0 2 * * *"  # 5-field cron, optional CRON_TZ=Zone,
                              # descriptors @daily @weekly @monthly @hourly @every 6h;
                              # without CRON_TZ in timezone; empty = run by hand only
    stages: [snapshot, classify, anonymize]      # required, run in order
    catch_up: true            # on scheduler start, run once if the last slot was missed (default false)
    timeout: 2h               # whole run; 0s = none (default 24h)
    stage_timeout: 1h         # each attempt of each stage; 0s = none (default 0s)
    retries:                  # transient failures only
      max: 3                  # retries after the first attempt (default 2)
      backoff: 30s            # first delay, doubled each retry, jittered (default 30s)
      max_backoff: 10m        # delay cap (default 10m)
  weekly-verify:
    schedule: "@weekly"
    stages: [verify]
    verify: {share: 1.0}      # overrides the top-level verify section for this job

notify:                       # hooks for runs that do not end ok
  command: ["/usr/local/bin/page", "--"]  # argv, run without a shell; gets VIGIL_JOB,
                              # VIGIL_RUN_ID, VIGIL_STATUS, VIGIL_STAGE, VIGIL_ERROR and
                              # the event as JSON on stdin
  webhook: https://hooks.example.com/vigil  # receives the event as a JSON POST
  on: [failed, timeout, interrupted]        # statuses that notify (default these three)
  timeout: 30s                # per hook (default 30s)
access:                       # roles on one host (README, "Security model"); groups must exist
  analyst_group: vigil-analysts     # reads datasets/ and appends to logs/query.jsonl (vigil query)
  auditor_group: vigil-auditors     # reads reports, inventory, verify record, ledger (vigil status)
  monitoring_group: node-exporter   # reads vigil.prom
  metrics_dir: /var/lib/node_exporter/textfile  # where vigil.prom goes (default <home>/metrics)
`

const starter = `# vigil.yaml — written by vigil init. Every key: vigil config reference.
format: 1

# State: encrypted snapshots, analyst datasets, run ledger, reports, locks,
# metrics. Keep it on a disk that is backed up.
home: ./vigil-home
timezone: Local

keys:
  keyset: keys/keyset.json          # relative to home
  passphrase_env: VIGIL_PASSPHRASE  # export VIGIL_PASSPHRASE=... before running

sources:
  crm:
    type: csv
    dir: ./demo-data                # created by: vigil demo generate
    encoding: auto                  # UTF-8 (with or without BOM) or GBK/GB18030
    tables:
      customers:
        file: customers.csv
        # columns: {lifetime_value: "decimal(14,2)"}   # declared types; the rest is inferred
      staff: {file: staff.csv}           # CRM users: the audit reads roles, status, leave dates
      ownership: {file: ownership.csv}   # which salesperson owns which customer
      orders: {file: orders.csv}
      enrollments: {file: enrollments.csv}

snapshot:
  keep_last: 14

classify:
  sample_size: 10000
  review_below: 0.8

protect:
  unclassified: withhold            # columns with no class: withhold (listed as "withheld: unreviewed") | drop | pass
  tables:
    customers:
      # Columns not named here get their class's default protection
      # (vigil rules list). Name columns to override, e.g.:
      # columns:
      #   mobile: {method: mask, keep_suffix: 4}
      #   email: {method: pseudonym}
      # quasi_identifiers: [gender, birth_date, postal_code]   # default: the classified ones
      k: 5
      suppression: 0.04

audit:
  logs:
    - name: crm
      path: demo-data/logs/*.jsonl
      format: json
      mapping: salesforce           # the demo logs are Salesforce-shaped

jobs:
  nightly:
    schedule: "0 2 * * *"           # 02:00 every day, in timezone
    stages: [snapshot, classify, anonymize]
    catch_up: true
    timeout: 2h
    retries: {max: 3, backoff: 30s, max_backoff: 10m}
  verify:
    schedule: "@weekly"
    stages: [verify]
  audit:
    schedule: "0 6 * * *"
    stages: [audit]

# notify:
#   command: ["/usr/local/bin/page", "--"]
#   webhook: https://hooks.example.com/vigil
`
