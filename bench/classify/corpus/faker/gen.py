#!/usr/bin/python3
"""Regenerates the Faker part of the classification corpus.

Values come from Faker (python3-fake-factory 0.9.3 from Debian, MIT); the
column lists and the labels beside them are ours (judgment calls in
../../LABELS.md). Run with Debian's python: /usr/bin/python3 gen.py
Each file gets 200 rows from a fixed seed, so the output is reproducible.
"""
import csv, os, random
from faker import Faker

HERE = os.path.dirname(os.path.abspath(__file__))
ROWS = 200

def seeded(loc, seed):
    f = Faker(loc)
    f.seed_instance(seed)
    random.seed(seed)
    return f

def website(p):
    w = p.get('website') or ['']
    return w[0] if isinstance(w, list) else w

def loc_str(p):
    la, lo = p['current_location']
    return f'{la}, {lo}'

# profile(): Faker's own field set. Header names per language (ours).
PROFILE = [  # key, class, header per language
    ('name', 'person_name', {'zh': '姓名', 'ja': '氏名', 'de': 'Name', 'fr': 'Nom', 'es': 'Nombre'}),
    ('sex', 'gender', {'zh': '性别', 'ja': '性別', 'de': 'Geschlecht', 'fr': 'Sexe', 'es': 'Sexo'}),
    ('birthdate', 'birth_date', {'zh': '出生日期', 'ja': '生年月日', 'de': 'Geburtsdatum', 'fr': 'Date de naissance', 'es': 'Fecha de nacimiento'}),
    ('mail', 'email', {'zh': '邮箱', 'ja': 'メールアドレス', 'de': 'E-Mail', 'fr': 'Courriel', 'es': 'Correo'}),
    ('phone', 'phone', {'zh': '手机号', 'ja': '電話番号', 'de': 'Telefon', 'fr': 'Téléphone', 'es': 'Teléfono'}),
    ('ssn', 'national_id', {'zh': '身份证号', 'ja': 'マイナンバー', 'de': 'Steuer-ID', 'fr': 'Numéro de sécurité sociale', 'es': 'DNI'}),
    ('address', 'address', {'zh': '地址', 'ja': '住所', 'de': 'Adresse', 'fr': 'Adresse', 'es': 'Dirección'}),
    ('residence', 'address', {'zh': '居住地', 'ja': '居所', 'de': 'Wohnort', 'fr': 'Résidence', 'es': 'Residencia'}),
    ('current_location', 'geolocation', {'zh': '当前位置', 'ja': '現在地', 'de': 'Standort', 'fr': 'Position', 'es': 'Ubicación'}),
    ('username', 'username', {'zh': '用户名', 'ja': 'ユーザー名', 'de': 'Benutzername', 'fr': "Nom d'utilisateur", 'es': 'Usuario'}),
    ('website', 'url', {'zh': '网站', 'ja': 'ウェブサイト', 'de': 'Webseite', 'fr': 'Site web', 'es': 'Sitio web'}),
    ('company', 'organization_name', {'zh': '公司', 'ja': '会社', 'de': 'Firma', 'fr': 'Société', 'es': 'Empresa'}),
    ('job', 'none', {'zh': '职业', 'ja': '職業', 'de': 'Beruf', 'fr': 'Profession', 'es': 'Profesión'}),
    ('blood_group', 'health', {'zh': '血型', 'ja': '血液型', 'de': 'Blutgruppe', 'fr': 'Groupe sanguin', 'es': 'Grupo sanguíneo'}),
]
LOCALES = [('zh_CN', 'zh'), ('ja_JP', 'ja'), ('de_DE', 'de'), ('fr_FR', 'fr'), ('es_ES', 'es'),
           ('pt_BR', 'en'), ('it_IT', 'en'), ('en_GB', 'en'), ('en_US', 'en'), ('en_CA', 'en')]

def profile_file(loc, lang, seed, labels):
    f = seeded(loc, seed)
    name = f'profile_{loc}.csv'
    hdr = [h.get(lang, k if k != 'phone' else 'phone_number') for k, _, h in PROFILE]
    rows = []
    for _ in range(ROWS):
        p = f.profile()
        r = []
        for k, _, _ in PROFILE:
            if k == 'phone': r.append(f.phone_number())
            elif k == 'website': r.append(website(p))
            elif k == 'current_location': r.append(loc_str(p))
            else: r.append(str(p[k]).replace('\n', ', '))
        rows.append(r)
    write(name, hdr, rows)
    for (k, cls, _), h in zip(PROFILE, hdr):
        labels.append((name, h, cls, loc[:2], loc))

def write(name, hdr, rows):
    with open(os.path.join(HERE, name), 'w', newline='', encoding='utf-8') as fh:
        w = csv.writer(fh); w.writerow(hdr); w.writerows(rows)

def crm_zh(labels):
    f = seeded('zh_CN', 101)
    cols = [('客户编号', 'record_id'), ('客户名称', 'person_name'), ('手机', 'phone'), ('邮箱', 'email'),
            ('身份证', 'cn_resident_id'), ('银行卡号', 'bank_card'), ('省份', 'province'), ('城市', 'city'),
            ('详细地址', 'address'), ('邮编', 'postal_code'), ('所属公司', 'organization_name'), ('备注', 'free_text_pii'),
            ('是否有效', 'none'), ('订单金额', 'none'), ('创建时间', 'none'), 
            ('c1', 'phone'), ('order_ref', 'person_name')]
    rows = []
    for i in range(ROWS):
        name = f.name()
        rows.append([f'KH{100000 + i}', name, f.phone_number(), f.email(), f.ssn(), f.credit_card_number(),
                     f.province(), f.city(), f.address().replace('\n', ''), f.postcode(), f.company(),
                     f'{name} {f.phone_number()}', random.choice(['是', '否']), f'{random.randint(100, 99999)}.{random.randint(0, 99):02d}',
                     f.date_time_this_year().strftime('%Y-%m-%d %H:%M:%S'), f.phone_number(), f.name()])
    write('crm_leads_zh_CN.csv', [c for c, _ in cols], rows)
    for c, cls in cols:
        labels.append(('crm_leads_zh_CN.csv', c, cls, 'zh', 'zh_CN'))

def crm_en(labels):
    f = seeded('en_US', 202)
    cols = [('Id', 'record_id'), ('FirstName', 'person_name'), ('LastName', 'person_name'), ('Email', 'email'),
            ('Phone', 'phone'), ('HasOptedOutOfEmail', 'none'), ('IsEmailBounced', 'none'), ('EmailEncodingKey', 'none'),
            ('HasOptedOutOfFax', 'none'), ('LeadSource', 'none'), ('Status', 'none'), ('Country', 'country'),
            ('State', 'region'), ('PostalCode', 'postal_code'), ('Website', 'url'), ('Description', 'none'),
            ('CC_Type', 'none'), ('CC_Number', 'bank_card'), ('CVV', 'secret'), ('SSN__c', 'national_id'),
            ('Username', 'username'), ('Password', 'secret'), ('Latitude', 'geolocation'), ('Longitude', 'geolocation'),
            ('LastLoginIP', 'ip_address'), ('IBAN__c', 'iban'), ('Notes', 'free_text_pii'), ('owner', 'person_name'),
            ('CreatedDate', 'none'), ('AnnualRevenue', 'none')]
    rows = []
    for i in range(ROWS):
        rows.append([f'00Q5g00000{i:08d}', f.first_name(), f.last_name(), f.email(), f.phone_number(),
                     random.choice(['true', 'false']), random.choice(['true', 'false']), random.choice(['UTF-8', 'ISO-8859-1', 'Shift_JIS']),
                     random.choice(['true', 'false']), random.choice(['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List']),
                     random.choice(['Open - Not Contacted', 'Working - Contacted', 'Closed - Converted']), f.country(), f.state(),
                     f.zipcode(), f.url(), f.sentence(), f.credit_card_provider(), f.credit_card_number(), f.credit_card_security_code(),
                     f.ssn(), f.user_name(), f.password(), str(f.latitude()), str(f.longitude()), f.ipv4(), f.iban(),
                     f'Call back on {f.phone_number()} after 5pm', f.name(), f.iso8601(), str(random.randint(10000, 9000000))])
    write('crm_leads_en_US.csv', [c for c, _ in cols], rows)
    for c, cls in cols:
        labels.append(('crm_leads_en_US.csv', c, cls, 'en', 'en_US'))

def main():
    labels = []
    for i, (loc, lang) in enumerate(LOCALES):
        profile_file(loc, lang, 1000 + i, labels)
    crm_zh(labels)
    crm_en(labels)
    with open(os.path.join(HERE, 'labels.csv'), 'w', newline='', encoding='utf-8') as fh:
        w = csv.writer(fh)
        w.writerow(['file', 'column', 'class', 'lang', 'locale'])
        w.writerows(labels)

if __name__ == '__main__':
    main()
