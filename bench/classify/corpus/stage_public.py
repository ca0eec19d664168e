# Stages the public part of the classification corpus from local snapshots of the public
# repositories named below (git directories under /work/.mirror, as the search tool's fetch
# leaves them) into OUT (default ../shared/data/classify). The files are not committed here:
# data taken from public repositories belongs in the shared data folder.
import csv, io, json, subprocess, os, sys
M = '/work/.mirror'
OUT = sys.argv[1] if len(sys.argv) > 1 else '../shared/data/classify'
def show(repo, path):
    return subprocess.run(['git', '-C', f'{M}/{repo}/repo', '-c', 'core.quotepath=off', 'show', f'HEAD:{path}'], capture_output=True, check=True).stdout.decode('utf-8-sig')
def write(name, header, rows):
    os.makedirs(os.path.dirname(f'{OUT}/{name}'), exist_ok=True)
    with open(f'{OUT}/{name}', 'w', newline='', encoding='utf-8') as f:
        w = csv.writer(f); w.writerow(header); w.writerows(rows[:200])
def from_csv(repo, path, name, drop_empty=True):
    rows = list(csv.reader(io.StringIO(show(repo, path))))
    h, body = rows[0], rows[1:]
    keep = [i for i, c in enumerate(h) if c.strip() != '' or not drop_empty]
    write(name, [h[i] for i in keep], [[r[i] if i < len(r) else '' for i in keep] for r in body])
def from_json(repo, path, name):
    recs = json.loads(show(repo, path))['records']
    cols = []
    for r in recs:
        for k in r:
            if k != 'attributes' and k not in cols: cols.append(k)
    write(name, cols, [[('' if r.get(c) is None else str(r.get(c))) for c in cols] for r in recs])
P='microsoft+presidio-research'
from_csv(P, 'tests/data/FakeNameGenerator.com_100.csv', 'presidio/fakenamegenerator_100.csv')
from_csv(P, 'presidio_evaluator/data_generator/raw_data/FakeNameGenerator.com_3000.csv', 'presidio/fakenamegenerator_3000_excel.csv')
from_csv('datasets+country-codes', 'data/country-codes.csv', 'country-codes/country-codes.csv')
T='trailheadapps+lwc-recipes'
from_csv(T, 'data/Accounts-Contacts.csv', 'salesforce/lwc-recipes_accounts-contacts.csv')
from_json(T, 'data/Contacts.json', 'salesforce/lwc-recipes_contacts.csv')
from_json(T, 'data/Accounts.json', 'salesforce/lwc-recipes_accounts.csv')
D='trailheadapps+dreamhouse-lwc'
from_json(D, 'data/contacts-data.json', 'salesforce/dreamhouse_contacts.csv')
from_json(D, 'data/brokers-data.json', 'salesforce/dreamhouse_brokers.csv')
from_json(D, 'data/properties-data.json', 'salesforce/dreamhouse_properties.csv')
from_csv('Alex19928585+MOCK_DATA', 'MOCK_DATA.csv', 'mockaroo/mock_data.csv')
from_csv('Aprende-Tidyverse+datasets', 'clientes.csv', 'tidyverse-es/clientes.csv')
W='whoslesley+Python-Data-Analysis'
for f, n in [('客户信息.csv','customers'),('产品和数量.csv','orders'),('语文成绩.csv','chinese_scores'),('学籍号.csv','student_conduct'),('数学英语成绩.csv','math_english_scores'),('我学会数据处理啦啦啦.csv','purchases')]:
    from_csv(W, f, f'pda-zh/{f}')
