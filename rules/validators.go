package rules

import (
	"sort"
	"strings"
	"time"
)

// ValidatorInfo describes a named validator that rule packs can use in
// value.validators.
type ValidatorInfo struct {
	Name string `json:"name"`
	Doc  string `json:"doc"`
}

// validatorEnv builds the validator functions: it holds the lexicon and the
// date that "today" means for date checks.
type validatorEnv struct {
	lex    *lexicon
	today  time.Time
	phones phoneRegions
}

type validatorDef struct {
	doc string
	fn  func(e *validatorEnv) func(string) bool
}

// validatorTable lists every validator. It is a function, not a package
// variable, so that nothing is initialized at program start.
func validatorTable() map[string]validatorDef {
	pure := func(f func(string) bool) func(*validatorEnv) func(string) bool {
		return func(*validatorEnv) func(string) bool { return f }
	}
	return map[string]validatorDef{
		"luhn":         {"digits (spaces/dashes allowed) passing the Luhn check", pure(func(s string) bool { d, ok := compactDigits(s, " -"); return ok && LuhnValid(d) })},
		"payment_card": {"payment card number: issuer prefix and length, Luhn check (ISO/IEC 7812)", pure(ValidPaymentCard)},
		"gb11643": {"18-character resident identity number: region, real birth date, check character (GB 11643)", func(e *validatorEnv) func(string) bool {
			return func(s string) bool { return residentID18(s, e.today) }
		}},
		"gb11643_15": {"15-digit resident identity number of the pre-1999 form", func(e *validatorEnv) func(string) bool {
			return func(s string) bool { return residentID15(s, e.today) }
		}},
		"gb32100":     {"unified social credit code with check character (GB 32100)", pure(ValidSocialCreditCode)},
		"iban":        {"IBAN with country length and MOD 97-10 check (ISO 13616)", pure(ValidIBAN)},
		"cn_mobile":   {"mainland mobile number, 13x-19x segments, +86/0086 prefix, spaces and dashes allowed", pure(ValidCNMobile)},
		"cn_landline": {"mainland fixed-line number with area code", pure(ValidCNLandline)},
		"intl_phone":  {"phone number in international form (+ or 00, country calling code, E.164 length)", pure(ValidIntlPhone)},
		"nanp_phone":  {"North American number written with separators, e.g. (212) 555-0123", pure(ValidNANPPhone)},
		"phone": {"telephone number: cn_mobile, cn_landline, intl_phone, nanp_phone, or valid by libphonenumber's rules in international form (+, 00) or in the national form of any region (default regions first); extensions allowed", func(e *validatorEnv) func(string) bool {
			return e.phones.phone
		}},
		"email": {"e-mail address, internationalized local parts and domains accepted", pure(ValidEmail)},
		"ip":    {"IPv4 or IPv6 address", pure(ValidIP)},
		"ipv4":  {"IPv4 address in dotted-decimal form", pure(ValidIPv4)},
		"ipv6":  {"IPv6 address", pure(ValidIPv6)},
		"date":  {"calendar date in a common Chinese or Western format", pure(func(s string) bool { _, ok := ParseDate(s); return ok })},
		"birth_date": {"date on which a living person was born (age 0 to 120, not in the future)", func(e *validatorEnv) func(string) bool {
			return func(s string) bool { return plausibleBirthDate(s, e.today) }
		}},
		"adult_birth_date": {"birth date of a person aged 16 to 120 today (customers, staff); recent event dates fail", func(e *validatorEnv) func(string) bool {
			return func(s string) bool { return adultBirthDate(s, e.today) }
		}},
		"age":                {"age in years 0 to 120 (岁 suffix allowed)", pure(plausibleAge)},
		"cn_postal_code":     {"six-digit mainland postal code with an allocated province prefix", pure(validCNPostalCode)},
		"postal_code":        {"postal code of CN, US (ZIP, ZIP+4), UK, CA, JP or NL", pure(validPostalCode)},
		"cn_name":            {"Chinese personal name: known family name (incl. compound) plus 1-2 characters, or a dotted minority name", func(e *validatorEnv) func(string) bool { return e.lex.cnName }},
		"western_name":       {"romanized personal name of 2-3 words with a known given, family or pinyin family name", func(e *validatorEnv) func(string) bool { return e.lex.westernName }},
		"person_name":        {"cn_name or western_name", func(e *validatorEnv) func(string) bool { return e.lex.personName }},
		"cn_address":         {"mainland street address (street-level word plus administrative unit or number)", pure(cnAddress)},
		"western_address":    {"Western street address (house number plus street-type word)", pure(westernAddress)},
		"address":            {"cn_address or western_address", pure(func(s string) bool { return cnAddress(s) || westernAddress(s) })},
		"cn_province":        {"provincial-level division of China (full, short or romanized name)", func(e *validatorEnv) func(string) bool { return e.lex.cnProvince }},
		"city":               {"city of China (with or without 市 or a leading province) or a city or town of the GeoNames gazetteer (8,000 inhabitants or more, capitals, first-level seats; local and major alternate names; \"Boston, MA\" forms)", func(e *validatorEnv) func(string) bool { return e.lex.city }},
		"cn_ethnicity":       {"one of the 56 ethnic groups of China (族 suffix optional)", func(e *validatorEnv) func(string) bool { return e.lex.cnEthnicity }},
		"organization_name":  {"organization name ending in a legal-form or institution word (有限公司, 银行, Ltd, GmbH ...)", pure(organizationName)},
		"contains_pii":       {"free text with an e-mail address, phone, resident ID or card number embedded in it", pure(containsPII)},
		"national_id":        {"national identity number with its check: US SSN, UK NINO, CA SIN, FR NIR, IT codice fiscale, ES DNI/NIE, DE Steuer-ID, BR CPF, IN Aadhaar, HK and TW IDs, SG NRIC, ZA ID, DK CPR, SE personnummer, NO fødselsnummer, FI HETU, PL PESEL, NL BSN, BE national number", pure(nationalID)},
		"us_ssn":             {"US Social Security number written 3-2-4 (area not 000/666/9xx, group not 00, serial not 0000)", pure(ValidUSSSN)},
		"uk_nino":            {"UK National Insurance number (prefix rules, suffix A-D or none in 2-2-2-2 groups)", pure(ValidUKNINO)},
		"ca_sin":             {"Canadian Social Insurance Number (Luhn)", pure(ValidCASIN)},
		"fr_nir":             {"French NIR with its key (97 - n mod 97)", pure(ValidFRNIR)},
		"it_codice_fiscale":  {"Italian codice fiscale with its check letter", pure(ValidITCodiceFiscale)},
		"es_dni":             {"Spanish DNI or NIE with its mod-23 letter", pure(ValidESDNI)},
		"de_tax_id":          {"German Steuer-IdNr. (ISO 7064 MOD 11,10)", pure(ValidDETaxID)},
		"br_cpf":             {"Brazilian CPF with both check digits", pure(ValidBRCPF)},
		"in_aadhaar":         {"Indian Aadhaar number (Verhoeff)", pure(ValidINAadhaar)},
		"hk_id":              {"Hong Kong identity card number (mod 11)", pure(ValidHKID)},
		"tw_id":              {"Taiwan national identification number", pure(ValidTWID)},
		"sg_nric":            {"Singapore NRIC/FIN with its check letter", pure(ValidSGNRIC)},
		"za_id":              {"South African identity number (birth date, Luhn)", pure(ValidZAID)},
		"dk_cpr":             {"Danish CPR number DDMMYY-SSSS (birth date)", pure(ValidDKCPR)},
		"se_personnummer":    {"Swedish personal identity or coordination number (birth date, Luhn)", pure(ValidSEPersonnummer)},
		"no_fodselsnummer":   {"Norwegian fødselsnummer or D-number (birth date, two mod-11 digits)", pure(ValidNOFodselsnummer)},
		"fi_hetu":            {"Finnish personal identity code (birth date, century sign, mod-31 character)", pure(ValidFIHETU)},
		"pl_pesel":           {"Polish PESEL (birth date with century in the month, weighted check)", pure(ValidPLPESEL)},
		"nl_bsn":             {"Dutch BSN written with separators (elfproef)", pure(ValidNLBSN)},
		"be_national_number": {"Belgian national register number written with separators (mod 97)", pure(ValidBENN)},
		"url":                {"web address (http, https, ftp or www.) or a domain name with an ICANN public suffix", pure(urlOrDomain)},
		"geo_position":       {"latitude,longitude pair or one decimal degree with at least four decimals", pure(geoPosition)},
		"country":            {"country: ISO 3166-1 alpha-2/alpha-3 code or CLDR name in English, Chinese and ten other languages", func(e *validatorEnv) func(string) bool { return e.lex.country }},
		"region":             {"subdivision of a country: Chinese province, prefecture or county, ISO 3166-2 subdivision of any country or GeoNames first-level division (name, CC-SUB code, or a bare upper-case code of 2-3 characters)", func(e *validatorEnv) func(string) bool { return e.lex.region }},
		"name_shape":         {"one to four capitalized words of letters (or initials): the shape of a romanized name, not evidence alone", pure(nameShape)},
		"username":           {"login name: 3-64 letters, digits and . _ - starting with a letter, not all capitals", pure(usernameShape)},
		"aba_routing":        {"US ABA routing number (9 digits, 3-7-1 weighted check)", pure(ValidABARouting)},
		"bank_account":       {"bank account number: 8-19 digits (spaces or dashes allowed), or an ABA routing number", pure(bankAccount)},
		"address_shape":      {"shape of an address: words with a number, or CJK text with an administrative or street unit", pure(addressShape)},
		"region_shape":       {"shape of a subdivision: name_shape, Chinese text, or a code (2-3 upper-case letters and digits with a letter, or CC-SUB): not evidence alone", pure(regionShape)},
		"text_shape":         {"short text with a letter (names of organizations and places): not evidence alone", pure(textShape)},
		"id_shape":           {"shape of an identity number: 6-24 letters and digits (separators allowed) with at least 4 digits, or an Excel-mangled number (1.23E+15)", pure(idShape)},
		"card_shape":         {"shape of a card number: 12-19 digits with spaces or dashes, or an Excel-mangled number (5.54563E+15)", pure(cardShape)},
		"card_security_code": {"card security code (CVV/CVC): 3 or 4 digits", pure(cardSecurityCode)},
	}
}

// Validators lists the validators rule packs can name, sorted by name.
func Validators() []ValidatorInfo {
	t := validatorTable()
	out := make([]ValidatorInfo, 0, len(t))
	for n, d := range t {
		out = append(out, ValidatorInfo{Name: n, Doc: d.doc})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func validatorNames(t map[string]validatorDef) string {
	names := make([]string, 0, len(t))
	for n := range t {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func newValidatorEnv(now time.Time) (*validatorEnv, error) {
	lex, err := newLexicon()
	if err != nil {
		return nil, err
	}
	y, m, d := now.UTC().Date()
	return &validatorEnv{lex: lex, today: time.Date(y, m, d, 0, 0, 0, 0, time.UTC), phones: newPhoneRegions(nil)}, nil
}
