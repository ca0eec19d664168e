# Stages public, labelled vendor test events for bench/audit from a local snapshot of
# panther-labs/panther-analysis (Apache-2.0; a git directory under /work/.mirror, as the
# search tool's fetch leaves it) into OUT (default ../shared/data/logs/panther-tests).
# Nothing here is committed with Vigil: data taken from public repositories belongs in
# the shared data folder (or a scratch folder for a measurement).
#
# Every rule of panther-analysis ships unit tests: a log and the ExpectedResult of the rule
# on it. For the log types Vigil maps (Microsoft 365 unified audit log, Entra ID sign-in and
# audit logs through Azure diagnostic settings, Salesforce event monitoring) each test log is
# written to its own JSON-lines file, with its label, to OUT/labels.json. A rule with a
# Threshold alerts only after that many matching events, so its test logs are written that
# many times, one second apart (positives and negatives alike).
#
#   python3 bench/audit/corpus/stage_public.py [OUT]
import copy, datetime, json, os, re, shutil, subprocess, sys
import yaml

REPO = 'panther-labs+panther-analysis'
GIT = f'/work/.mirror/{REPO}/repo'
OUT = sys.argv[1] if len(sys.argv) > 1 else '../shared/data/logs/panther-tests'
LOG_TYPES = ('Azure.Audit', 'Microsoft365.Audit', 'Office365.Audit', 'Salesforce.')
TIME_KEYS = ('time', 'CreationTime', 'createdDateTime', 'activityDateTime', 'TIMESTAMP_DERIVED', 'TIMESTAMP', 'EventDate', 'CreatedDate', 'p_event_time')

def git(*args):
    return subprocess.run(['git', '-C', GIT, *args], capture_output=True, check=True, text=True).stdout

# Panther keeps some Microsoft 365 test records (Exchange) with lower-cased top-level keys, as
# its data lake stores them; the Management Activity API writes them in PascalCase. These keys
# of the API's common and Exchange schemas are restored so the records are in the vendor's shape.
UAL_KEYS = ['ClientIP', 'CreationTime', 'ExternalAccess', 'Id', 'ObjectId', 'Operation', 'OrganizationId',
            'OrganizationName', 'OriginatingServer', 'Parameters', 'RecordType', 'ResultStatus', 'UserId', 'UserKey',
            'UserType', 'Workload', 'AppId', 'ClientAppId', 'ClientInfoString', 'ExternalAccess', 'InternalLogonType',
            'LogonType', 'LogonUserSid', 'MailboxGuid', 'MailboxOwnerSid', 'MailboxOwnerUPN', 'OrganizationName',
            'OperationProperties', 'SessionId', 'Version']
UAL = {k.lower(): k for k in UAL_KEYS}
recased = 0

def vendor_case(log, log_type):
    global recased
    if not log_type.startswith(('Microsoft365.', 'Office365.')) or 'operation' not in log:
        return log
    recased += 1
    return {UAL.get(k, k): v for k, v in log.items()}

def shift(log, seconds):
    out = copy.deepcopy(log)
    for k in TIME_KEYS:
        v = out.get(k)
        if not isinstance(v, str):
            continue
        m = re.match(r'^(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d)(.*)$', v)
        if not m:
            continue
        sep = 'T' if 'T' in m.group(1) else ' '
        t = datetime.datetime.strptime(m.group(1).replace('T', ' '), '%Y-%m-%d %H:%M:%S') + datetime.timedelta(seconds=seconds)
        rest = re.sub(r'^\.\d+', '', m.group(2)) if seconds else m.group(2)
        out[k] = t.strftime(f'%Y-%m-%d{sep}%H:%M:%S') + rest
    return out

def main():
    commit = git('rev-parse', 'HEAD').strip()
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    with open(f'{OUT}/LICENSE.panther-analysis.txt', 'w') as f:
        f.write(git('show', 'HEAD:LICENSE.txt'))
    labels = []
    for path in sorted(git('ls-tree', '-r', '--name-only', 'HEAD', 'rules/').split()):
        if not path.endswith(('.yml', '.yaml')):
            continue
        rule = yaml.safe_load(git('show', f'HEAD:{path}'))
        types = rule.get('LogTypes') or []
        if not isinstance(rule, dict) or rule.get('AnalysisType') != 'rule':
            continue
        if not any(t.startswith(LOG_TYPES) for t in types):
            continue
        rid = rule['RuleID']
        threshold = int(rule.get('Threshold') or 1)
        for i, test in enumerate(rule.get('Tests') or []):
            log = test.get('Log')
            if isinstance(log, str):
                log = json.loads(log)
            if not isinstance(log, dict):
                continue
            lt = log.get('p_log_type') or (types[0] if len(types) == 1 else '')
            if lt and not lt.startswith(LOG_TYPES):
                continue  # a multi-log-type rule's test of another product
            log = vendor_case(log, lt)
            name = f'{rid}/{i:02d}.jsonl'
            os.makedirs(os.path.dirname(f'{OUT}/{name}'), exist_ok=True)
            with open(f'{OUT}/{name}', 'w') as f:
                for n in range(threshold):
                    f.write(json.dumps(shift(log, n), ensure_ascii=False, sort_keys=True) + '\n')
            labels.append({'rule_id': rid, 'rule_file': path, 'log_type': lt, 'threshold': threshold,
                           'test': test.get('Name', ''), 'expected': bool(test.get('ExpectedResult')),
                           'file': name, 'events': threshold})
    with open(f'{OUT}/labels.json', 'w') as f:
        json.dump({'source': 'github.com/panther-labs/panther-analysis', 'commit': commit, 'licence': 'Apache-2.0',
                   'tests': labels}, f, ensure_ascii=False, indent=1)
    pos = sum(1 for l in labels if l['expected'])
    print(f'{recased} Microsoft 365 records had lower-cased keys; restored to the API\'s casing')
    print(f'{len(labels)} test logs ({pos} positive, {len(labels) - pos} negative) from {len({l["rule_id"] for l in labels})} rules at {commit[:12]} -> {OUT}')

main()
