// Package rules holds what Vigil knows about personal data: the check-digit
// and format validators (Luhn, GB 11643, GB 32100, IBAN, phone numbers,
// e-mail, dates, names ...), the rule-pack schema and loader, and the
// built-in data-class pack embedded as YAML (packs/dataclasses.yaml).
//
// # Imports
//
// rules is the leaf of the import graph: it imports nothing of Vigil's own.
// Audit detections (SQL rule packs) live in the sub-package rules/detections;
// this package is about classes of data.
//
// # Data classes
//
// A class of data (phone, cn_resident_id, person_name ...) says what a column
// holds, how sensitive it is (its Category), how it is protected by default
// (its Protection), and how to recognise it from the column name (ColumnRule)
// and from the values (ValueRule). The class id "none" is reserved for
// columns without personal data; no pack may define it.
//
// Categories: direct_identifier, quasi_identifier, sensitive_attribute,
// pipl_sensitive (PIPL sensitive personal information: ID numbers, financial
// accounts, health, religion ...) and none.
//
// Protections, in their text form (Protection.String, ParseProtection):
// drop, redact, pseudonym, pass, mask(keep_prefix=N,keep_suffix=N),
// generalize(level=N), bucket(width=N), date_shift(max_days=N).
//
// # Rule pack format
//
// A pack is one YAML document. Unknown keys are errors. Every field:
//
//	format: 1                      # required; the only version so far
//	id: acme-extra                 # required; ^[a-z][a-z0-9_.-]{0,63}$
//	version: "2024.06"             # required; free text, reported in classification.json
//	description: {en: ..., zh: ...}
//	non_personal:                  # optional; headers that mark business data
//	  names: [订单号, order_no]     #   exact names (compact form, see below)
//	  patterns: ['金额|数量']        #   Go regexps searched in the word form
//	  examples: {match: [order_no], no_match: [phone]}
//	classes:
//	  - id: phone                  # required; ^[a-z][a-z0-9_]{0,63}$, unique, not "none"
//	    override: false            # true: replace a class of the same id from an earlier pack
//	    name: {en: Phone number, zh: 电话号码}              # both languages required
//	    description: {en: ..., zh: ...}                    # both languages required
//	    category: direct_identifier                        # see Categories
//	    protection: pseudonym                              # or a mapping:
//	    # protection: {method: mask, keep_prefix: 3}   # a phone: operator prefix or last digits, never both
//	    column:                    # header evidence (optional if value is given)
//	      names: [手机号, phone]    #   exact names → strength HeaderName (0.9)
//	      patterns: ['手机|电话', '(^|_)(tel|mobile)(_|$)']  # → HeaderPattern (0.75)
//	      exclude: ['型号|brand']   #   a match here cancels names and patterns
//	      required: false          #   true: never assign the class without header evidence
//	    value:                     # value evidence (optional if column is given)
//	      patterns: ['^\d{11}$']   #   value must match one of these (if any) ...
//	      validators: [cn_mobile]  #   ... and pass one of these (if any)
//	      values: [男, 女]          #   or be one of these (case-insensitive)
//	      plausible: [birth_date]  #   validators that confirm a header without being evidence alone
//	      min_ratio: 0.9           #   share of non-blank sampled values that must match (default 0.9)
//	      weight: 0.9              #   confidence from values alone (default 0.8); >= 0.95 survives
//	                               #   a non_personal header ("checksum-strong")
//	      min_unique: 0            #   share of distinct sampled values required (default 0)
//	      key: false               #   values are record keys: an all-distinct sample is further evidence
//	      free_text: false         #   only consider columns of free text (mean length >= 8 characters)
//	    examples:                  # the class's own tests; checked when the pack loads
//	      match: ["13812345678"]   #   values that must pass the value rule
//	      no_match: ["12345"]      #   values that must not
//	      headers:
//	        match: [手机号]         #   headers that must match the column rule
//	        no_match: [phone_brand]
//
// A class needs a column rule or a value rule (or both). A value rule needs
// at least one match and one no_match example, a column rule at least one
// header match example.
//
// # Header matching
//
// NormalizeHeader turns a column name into two forms. The word form is lower
// case with words joined by "_", split at separators, camelCase humps,
// letter/digit boundaries and script changes: "CustomerMobileNo" →
// "customer_mobile_no", "登录IP" → "登录_ip". Runs of Chinese characters stay
// one word, so Chinese patterns are plain substrings. The compact form drops
// the "_": "customermobileno". Column names and non_personal names are
// compared in compact form ("ID-Card", "id_card" and "IdCard" are the same);
// patterns and exclude patterns are searched in the word form.
//
// # Value matching
//
// Values are first normalized (NormalizeValue): full-width ASCII is folded,
// white space trimmed, and blanks and placeholders ("-", "N/A", "null", "\N",
// "无") become empty and are ignored. See Validators for the validators a
// pack can name; among them: payment_card (issuer prefixes and lengths, Luhn),
// gb11643 and gb11643_15 (resident ID with region, birth date and check
// character; the legacy 15-digit form), gb32100, iban (country lengths,
// MOD 97), cn_mobile (real 13x-19x segments, +86/0086, spaces and dashes),
// cn_landline, intl_phone, nanp_phone, email (IDN domains and Unicode local
// parts), ip/ipv4/ipv6, date, birth_date, adult_birth_date, age,
// postal_code/cn_postal_code, cn_name (family-name table incl. compound
// names), western_name, person_name, cn_address, western_address, address,
// cn_province, city, cn_ethnicity, organization_name and contains_pii (free
// text with an e-mail address, phone, resident ID or card number in it; see
// FindInText).
//
// # Loading and testing
//
// LoadBuiltin returns the embedded packs; LoadFile and Load read user packs.
// A pack with any problem — YAML syntax, unknown key, bad regexp, unknown
// validator, duplicate class id, out-of-range number, an example that fails
// — is rejected with a *PackError listing every problem with its file, line
// and class id (errors.Is(err, ErrInvalidPack)). NewSet combines packs (a
// repeated class id is an error unless the later class sets override: true)
// and Set.Test re-runs every example and checks that each header example is
// matched best by its own class in the whole set and not vetoed by a
// non_personal rule, which catches conflicts between packs.
//
// # Word lists
//
// The name and place validators use the lists in lexicon/: Chinese family
// names (single and compound), romanized Chinese family names, common Western
// given and family names, provincial-level divisions with their short and
// romanized names, cities, and the 56 ethnic groups. They are embedded and
// loaded per pack load; nothing is initialized at program start. The world
// gazetteers (world_regions.txt.gz: ISO 3166-2 and GeoNames subdivisions;
// world_cities.txt.gz: GeoNames places) are derived by rules/internal/geogen
// (sources and licences in lexicon/NOTICE-geo.txt) and loaded once per
// process, on the first pack load.
package rules
