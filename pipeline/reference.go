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
    encoding: auto            # csv: auto | utf-8 | gbk | gb18030 (default auto: BOM, UTF-8, else GB18030)
    delimiter: ","            # csv: one character (default ",")
    # dsn_env: CRM_DSN        # postgres: variable holding the connection string (required)
    tables:                   # required, at least one; table names are unique across sources
      customers:
        file: customers.csv   # csv, parquet: relative to dir, must exist (default <table>.csv / .parquet)
        # query: SELECT ...   # postgres: a SELECT to copy, or
        # table: public.customers  # postgres: a [schema.]table to copy; exactly one of both
        columns:              # optional declared types, by column:
          id: int64           # string | int64 (or integer) | decimal(p,s) | bool | date | timestamp
          amount: decimal(12,2)

snapshot:
  max_rows_per_file: 1000000  # rows per encrypted Parquet file (default 1000000)
  keep_last: 14               # snapshots kept per table (default 14, at least 1)

classify:
  sample_size: 10000          # rows sampled per table (default 10000)
  rule_packs: []              # extra rule-pack YAML files, beside the built-in packs
  overrides:                  # "table.column": data class, or none (not personal)
    customers.notes: free_text
  review_below: 0.8           # confidence below which a column is flagged for review (default 0.8)

protect:
  unclassified: pass          # pass | drop: columns with no class and no policy (default pass)
  tables:                     # policies by table (tables must be defined in sources)
    customers:
      columns:                # by column name:
        phone: {method: mask, keep_prefix: 3, keep_suffix: 4, mask_char: "*"}
        name: {method: pseudonym}   # keyed token, stable across runs
        notes: {method: drop}
        email: {method: redact, value: "[REDACTED]"}
        city: {method: keep}
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
      suppression: 0.04       # largest fraction of rows that may be suppressed, [0, 1)
      metric: loss            # loss | entropy | entropy-monotonic | discernibility |
                              # discernibility-monotonic | aecs (ARX's definitions; default loss)
      l_model: distinct       # distinct | entropy (default distinct)
      algorithm: optimal      # optimal (full-domain lattice search, like ARX) | mondrian (default optimal)

verify:                       # restore drills (the verify stage)
  share: 1.0                  # fraction of snapshot files restored, (0, 1] (default 1)
  tables: []                  # only these tables; empty = all

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
    usb:
      type: dir
      path: /mnt/backup/vigil # dir: directory (required)

audit:
  logs:                       # access logs to audit
    - name: crm               # required, unique
      path: logs/*.jsonl      # required: a file or glob
      format: json            # json (JSON lines) | csv (default json)
      mapping: salesforce     # vigil | salesforce | m365 | a name from mappings (default vigil)
  mappings:                   # user-defined log shapes, by name
    myshape:
      fields:                 # canonical field: field of the log; time is required
        time: ts              # canonical fields: time user role action object_type object_id
        user: actor           #   record_count src_ip country city latitude longitude
        action: event         #   user_agent session_id status mfa detail
      values:                 # canonical field: {log value: canonical value}
        action: {LOGIN: login}
      time_format: iso8601    # iso8601 | unix | unix_ms | a strptime format such as %d/%m/%Y %H:%M:%S (default iso8601)
  suppressions: suppressions.yaml  # accepted findings; must exist if set
  out: reports                # report directory, relative to home (default reports)

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
  unclassified: pass                # columns with no personal-data class: pass | drop
  tables:
    customers:
      # Columns not named here get their class's default protection
      # (vigil rules list). Name columns to override, e.g.:
      # columns:
      #   mobile: {method: mask, keep_prefix: 3, keep_suffix: 4}
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
