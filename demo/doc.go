// Package demo generates a realistic, entirely synthetic CRM export for
// `vigil demo generate`: the data every other stage is tried on, with a
// ground truth saying which column holds which kind of personal data.
//
// # Usage
//
//	sum, err := demo.Generate(ctx, demo.Options{Rows: 100_000, Seed: 7, Out: "crm"})
//
// The same seed and options give byte-identical files, whatever the machine:
// nothing depends on the clock (the reference date is Options.Now, 2026-11-01
// by default), on map order, on the number of CPUs or on floating point. Rows
// are generated in chunks, each drawing from its own PCG stream
// (math/rand/v2) derived from the seed, its table and its index; workers render
// chunks in parallel and one writer appends them in order.
//
// # Tables
//
// All tables are CSV (RFC 4180: header row, CRLF line ends, quotes only where
// needed):
//
//   - customers.csv: Rows rows. customer_id (C + 8 digits, increasing with
//     sign-up time, with gaps) first, then roughly in this order (a few
//     neighbours swapped per seed): name (about 80% Chinese names, compound
//     surnames such as 欧阳 and 诸葛 included, 20% Western), gender, birth date (ISO), age at the reference date, GB 11643
//     resident id (area code of the customer's province, the birth date of the
//     birth column, sex digit matching the gender; empty for Western
//     customers), mobile number in several written forms, e-mail (pinyin and
//     Latin local parts, numeric QQ addresses, a few internationalised ones
//     such as 张伟@例子.中国), province, city, street address, postal code,
//     customer type, company name and GB 32100 credit code (business customers
//     only), bank card (UnionPay, Visa, Mastercard; Luhn-valid, some in groups
//     of four), IBAN (DE/GB/FR, mostly empty), sign-up IP (IPv4, some IPv6),
//     sign-up time, the non-personal order_no, product_code, lifetime_value,
//     credit_score and segment, and free-text notes.
//   - staff.csv: max(20, Rows/500) rows, at most 2000, with the fixed header
//     staff_id,name,email,role,region,status,hire_date,leave_date. A few
//     people who left still have an active account (an audit finding).
//   - ownership.csv: customer_id,staff_id,since, one owner among the sales
//     staff per customer, in post on the since date. Some owners have left
//     since (stale ownership, another finding).
//   - orders.csv: 2×Rows orders referencing customers (older customers order
//     more), amounts partly with thousands separators, card_last4 usually that
//     of the customer's card.
//   - enrollments.csv: Rows/2 course enrollments.
//
// # Headers
//
// Personal columns of customers.csv get one of several Chinese or English
// synonyms per seed (e.g. 姓名, 客户姓名, name, full_name, cust_name), and one
// or two of them get a name that says nothing (field_7, 备用1, col12,
// ext_attr1), so that a classifier must rely on the values. Identifier
// columns, file names and the staff and ownership headers never vary.
//
// # Traps
//
// Columns a classifier should NOT flag: order_no is 11 digits starting with 1
// like a mobile number, but it is 1 + yymmdd + 4 digits, so its prefixes
// (11x, 12x) are never assigned to mobiles; product_code (SKU-8842-ZX);
// lifetime_value ("12,345.60"); credit_score; segment; card_last4; signup and
// order timestamps, which are dates but not birth dates. The notes column is
// mostly harmless text, but about 15% of its cells embed a phone number,
// e-mail address or name, and some span several lines.
//
// # Messiness
//
// Optional columns are empty in about 1–5% of rows; notes hold quotes, commas
// and newlines; customers.csv starts with a UTF-8 BOM. With Options.GBK every
// CSV is written in GBK without a BOM; all generated text is GBK-encodable,
// so the GBK and UTF-8 twins of a seed hold the same text.
//
// # Ground truth
//
// ground_truth.json is {"format":1,"seed":S,"rows":N,"tables":{...}} where
// each table (file name without .csv) maps every column header, as written,
// to one class id of this vocabulary (see Classes):
//
//	person_name            names of people
//	phone                  phone numbers
//	email                  e-mail addresses
//	cn_resident_id         GB 11643 resident identity numbers
//	bank_card              payment card numbers
//	iban                   international bank account numbers
//	birth_date             dates of birth
//	age                    ages in years
//	gender                 sex or gender
//	address                street addresses
//	province               province-level divisions
//	city                   cities
//	postal_code            postal codes
//	ip_address             IPv4 and IPv6 addresses
//	free_text_pii          free text that sometimes carries personal data
//	record_id              surrogate keys identifying a person (customer_id, staff_id)
//	organization_name      company names
//	cn_social_credit_code  GB 32100 unified social credit codes
//	none                   everything else: order ids, product codes, amounts,
//	                       currencies, statuses, segments, timestamps that are
//	                       not birth dates, course names, card_last4, roles, regions
//
// # Files
//
// Every file is written under a temporary name in the output directory, synced,
// and renamed into place only once all tables are complete; ground_truth.json
// is renamed last. A run that fails or is cancelled before then leaves the
// directory as it was.
// Files are created with mode 0600: the data is synthetic but looks real.
// Memory stays bounded: rows are streamed in chunks; only staff is held.
package demo
