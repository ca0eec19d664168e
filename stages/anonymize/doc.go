// Package anonymize turns a table into an analyst dataset in which no
// person can be singled out: per-column transforms (drop, redact, masks,
// keyed pseudonyms, generalization, buckets, date shifting), k-anonymity and
// l-diversity by an optimal full-domain generalization search or Mondrian
// partitioning, the information loss measured with ARX's metrics, and the
// re-identification risk reported.
//
// # Entry points
//
//   - WriteDataset writes datasets/<table>/ (plain Parquet plus
//     _vigil.json) from an Arrow record stream, a Policy, the column
//     classes and a Tokenizer.
//   - AnonymizeCSV is the library form of
//     `vigil anonymize --input FILE.csv --qi ... --hierarchy col=FILE --k 5
//     --suppression 0.04 --metric loss` and works on any delimited file,
//     like ARX's API. It returns a JSON-marshalable Result.
//
// # Transforms
//
// Each column gets one Protection, chosen by the policy, else by the
// default protection of its class (rules.Protection), else — for columns
// without a personal-data class — by Policy.Unclassified (pass or drop;
// drop when unset). A column classified as personal data without any
// protection stops the run with an *UnprotectedColumnError naming table
// and column (fail closed); all such problems are reported together.
//
//	keep        value unchanged (an explicit decision, recorded)
//	drop        column removed
//	redact      every value replaced by Value (default "[REDACTED]")
//	mask        keep KeepPrefix/KeepSuffix characters: 138******** (phone presets: prefix or suffix),
//	            110105********002X; Email masks the local part only:
//	            j***@example.com
//	pseudonym   keyed token, see Pseudonyms
//	generalize  hierarchy level, numeric band (Interval) or date part
//	bucket      numeric band of width Interval, e.g. "30000-39999"
//	date_shift  date moved by a per-subject offset, see Date shifting
//
// Values a transform cannot handle (a non-number in a bucket column) are
// written as "*" and counted per column in _vigil.json.
//
// # Pseudonyms
//
// A pseudonym is Tokenizer.Token("vigil/pseudonym/v1:"+Domain, value),
// typically HMAC-SHA256 under the pseudonym key. It is deterministic, so
// joins work across tables and nights as long as the key and the Domain
// (default: the class id) stay the same; another key gives other tokens.
// The first TokenBytes bytes (default 16) are written in lower-case base32
// without padding (or hex) after Prefix (default "tok_"). Format-preserving
// tokens (Format) replace digits with digits derived from a token of the
// value's digits (rejection sampling keeps them uniform) and keep everything
// else in place: cn_mobile keeps the leading "1" (1 + 10 digits), cn_id
// recomputes the GB 11643 check character, card keeps the 6-digit issuer
// prefix and recomputes the Luhn digit, digits keeps FixedPrefix digits.
// They are not reversible. The package never sees the key; it never writes
// tokens' inputs or the key to files or logs.
//
// # Date shifting
//
// All dates of one subject (Policy.SubjectColumn, e.g. customer_id) move by
// the same number of days, d = (uint64(Token("vigil/date-shift/v1",
// subject)[:8]) mod 2m) − m, with d ≥ 0 mapped to d+1, so d ∈ [−m,−1] ∪
// [1,m] (m = MaxShiftDays, default 365). Intervals between a subject's dates
// survive; date32, date64 and timestamp columns keep their type.
//
// # Hierarchies
//
// A Hierarchy maps a value to its generalization at a level; level 0 is the
// value. TableHierarchy reads ARX's hierarchy CSVs: ';'-separated, one row
// per value, level 0 first up to "*" (ReadHierarchyCSV checks equal row
// lengths, unique values and consistency). Built-ins: IntervalHierarchy
// (AgeBands: 5-, 10-, 20-year bands, then "*"), DateHierarchy (year-month,
// year, decade, "*"), PrefixHierarchy (postal codes: mask trailing
// characters). Internally every quasi-identifier is dictionary-encoded
// (int32 codes) and a generalization level is a code remapping table.
//
// # Privacy models
//
// k-anonymity: every released equivalence class (records with equal
// generalized quasi-identifiers) has at least k records. Distinct
// l-diversity: at least ⌈l⌉ distinct sensitive values per class. Entropy
// l-diversity (ARX's Shannon estimator): Σ n_s·ln n_s ≤ N·(ln N − ln l),
// i.e. entropy ≥ ln l, and at least ⌈l⌉ values. Classes that fail are
// suppressed; a transformation is anonymous when the suppressed records
// are at most ⌊Suppression·N⌋ (ARX). Suppressed records are not released
// and are excluded from classes, k reached, risk and from the dataset.
//
// # Optimal search
//
// The lattice holds one node per combination of levels (Adult: 2·5·2·3·4·
// 3·3·3·2 = 12,960). The search returns the anonymous node with the least
// information loss; ties go to the lower height (sum of levels, as ARX)
// and then to the lexicographically smaller levels. It follows Flash
// (Kohlmayer et al. 2012): nodes are visited bottom-up by height; from
// every node whose property is unknown a greedy path to the top is bisected;
// a checked node that has the property tags all its generalizations, one
// that lacks it all its specializations (predictive tagging). The tagged
// property is anonymity when it is monotone (k-anonymity, or no suppression)
// and otherwise "records in classes smaller than max(k,⌈l⌉) ≤ limit", which
// is always monotone (ARX's PARTIAL case). A second phase checks the
// remaining candidates in order of their lower bounds. Pruning: a node
// whose lower bound (generalization-only Loss or entropy, computed without
// grouping; DM* and class counts after grouping) exceeds the best loss is
// skipped with all its generalizations, and with a monotone metric every
// generalization of an anonymous node is dominated. Grouping reuses the
// classes of a checked specialization (ARX's history), so it costs the
// number of classes, not of records. The exhaustive variant evaluates every
// node; tests and the benchmark compare both.
//
// # Metrics
//
// Implemented as ARX defines them (metric/v2). Let N be the number of
// records, E the equivalence classes, S the suppressed records, gs the
// generalization/suppression factor (default 0.5), sF = gs < 0.5 ? 2·gs : 1
// and gF = gs ≤ 0.5 ? 1 : 1 − 2·(gs − 0.5). Values are rounded down to ten
// decimals per attribute (ARX's round) where ARX does so.
//
// Loss (MetricMDNMLoss; default aggregate geometric mean, in [0,1]): for
// attribute a at level λ, the share of generalized value v is
// share(v) = |{domain values under v}| / |domain|, the domain being the
// rows of the hierarchy (or the distinct data values for built-in
// hierarchies). Per class c with n_c records and value v_c:
//
//	released:   L_a += gF · n_c · share(v_c)
//	suppressed: L_a += sF = 1 ? n_c : n_c·share(v_c) + sF·(n_c − n_c·share(v_c))
//	normalized: ℓ_a = max(0, (L_a − gF·N/|domain|) / (N − gF·N/|domain|))
//	aggregate:  Loss = Π_a (ℓ_a + 1)^(1/A) − 1
//
// The sums are formed exactly from integer counts (records × covered
// domain values), so they do not depend on summation order.
//
// Non-uniform entropy (MetricMDNUNMEntropy, ARX's default entropy; sum over
// attributes, in bits): with f(x) the frequency of value x in the input
// and f(v) that of its generalization v at the node,
//
//	H_a = −gF · Σ_{input values x} f(x)·log2(f(x)/f(v(x)))
//	      − sF · Σ_{values v among suppressed} s_v·log2(s_v/S)
//
// where s_v counts suppressed records whose generalized value is v. The
// monotonic variant (MetricMDNUEntropy) omits the second term.
//
// Discernibility (MetricSDNMDiscernability): DM = Σ_released n_c² +
// Σ_suppressed N·n_c; the monotonic DM* (MetricSDDiscernability) is Σ_all
// n_c².
//
// AECS (MetricSDAECS; ARX swaps the factors): N / (sF·|released classes| +
// gF·[S > 0]).
//
// Metrics are monotone without suppression (ARX assumes so for all); with
// suppression only entropy-monotonic and DM* are.
//
// # Mondrian
//
// For large tables and numeric quasi-identifiers: strict multidimensional
// partitioning (LeFevre et al. 2006) over the distinct tuples weighted by
// their counts. A partition is cut at the weighted median of the dimension
// with the widest normalized range when both halves keep ≥ k records (and
// stay l-diverse). Released values: numeric ranges "lo-hi", the lowest
// common ancestor in the hierarchy, or a set "{a,b}" (up to four values)
// for categorical values without one. Reported: partitions, classes, k,
// DM, AECS and the normalized certainty penalty NCP (mean over records and
// attributes of range/domain, or covered/distinct values − 1 over distinct
// values − 1). Mondrian never suppresses.
//
// # Risk
//
// Prosecutor model over the released records: a record in a class of size
// n is re-identified with probability 1/n. Reported: highest risk 1/min n,
// average risk |classes| / released records, and the records (and share)
// whose risk exceeds RiskThreshold (default 0.2).
//
// # Datasets
//
// WriteDataset reads the stream twice when a privacy model applies (the
// caller's Open reopens it): pass 1 holds only the quasi-identifiers of the
// table, as distinct dictionary-encoded tuples with counts; pass 2
// transforms and writes, dropping suppressed records. Output is
// Root/<table>/part-NNNNN.parquet (zstd, at least MaxRowsPerFile rows per
// file but the last) and _vigil.json (format "vigil.dataset/v1": rows in,
// written, suppressed; files with SHA-256; per column class, category and
// protection; the privacy Result). Everything is written into a temporary
// directory under Root and renamed into place; an older dataset is moved
// aside first and removed after the rename.
//
// # Errors
//
// Sentinels (ErrUnprotected, ErrPolicy, ErrHierarchy, ErrInput,
// ErrNoSolution, ErrLatticeTooLarge, ErrTokenizer) work with errors.Is;
// *UnprotectedColumnError, *PolicyError, *HierarchyError and *ValueError
// (file or table, row, column — never the value) with errors.As. Checks
// report every problem, not the first.
package anonymize
