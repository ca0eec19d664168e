// Package classify decides, for every column of a table, which class of
// personal data it holds (a class id of a rules.Set, or "none"), how sure it
// is, and why.
//
// # Sampling
//
// Table reads the record stream it is given once. For each column it keeps a
// uniform reservoir sample of non-null values (Options.SampleSize, default
// 10,000) with Vitter's Algorithm L, which jumps from one accepted position
// to the next, so values it skips are never converted to text and the cost
// beyond the sample is a pass over the validity bitmaps. The caller decides
// how much of the snapshot to stream (a few row groups are plenty). Samples
// are seeded (Options.Seed), so a run is reproducible. Arrow values of any
// type are turned into text: integers and decimals in decimal, dates as
// 2006-01-02, timestamps as 2006-01-02 15:04:05 UTC, booleans as true/false.
//
// # Evidence and scoring
//
// For every class the classifier weighs two kinds of evidence:
//
//   - Header: the column name matches one of the class's names (strength
//     0.9) or patterns (0.75).
//   - Values: the share of non-blank sampled values that pass the class's
//     value rule. It counts when the lower bound of its Wilson interval
//     (z = 1) reaches the class's min_ratio, so a handful of lucky values in
//     a tiny table is not enough. Value evidence alone is worth the class's
//     weight; classes with column.required need a header too. For key
//     classes an all-distinct sample adds 0.3.
//
// Agreeing header and values combine as 1-(1-h)(1-v). A header whose values
// disagree scores h·(0.3+0.7·r/min_ratio), where r counts values that match
// or are plausible (value.plausible), and the column keeps the header's class
// but is always marked for review. A header that marks business data (a
// pack's non_personal rule: order numbers, amounts, SKUs, event times) vetoes
// value evidence of weight below 0.95, so an 11-digit order number that looks
// like a mobile number stays "none", while checksum-strong evidence (resident
// ID, card, IBAN, credit code, e-mail) survives. The best-scoring class wins
// if it scores at least 0.5; a runner-up within 0.05 lowers the confidence.
// Otherwise the column is "none", with confidence 1 minus the best score.
//
// # Review and overrides
//
// Columns whose confidence is below Options.ReviewBelow (default 0.8) are
// marked Review: the classifier does not guess. Options.Overrides (column →
// class id, from the configuration) win over the classifier; the column is
// marked Override, with confidence 1, and its evidence starts with what the
// classifier would have said. An override naming an unknown column or class
// is an error (ErrOverride).
//
// # Output
//
// TableResult is written as classification.json by WriteJSON (atomically:
// temporary file, fsync, rename) and read back by ReadJSON/DecodeJSON, which
// reject other format versions (ErrFormat). It records the format version,
// table, snapshot, time, rows read, sample size, review threshold, the rule
// packs used (id, version, file, SHA-256) and per column: name, Arrow type,
// class, category, protection (rules.Protection text form), confidence,
// evidence, review and override flags, sampled and non-null counts, and the
// top candidates with their scores. Annotate copies the classification into
// Arrow field metadata (vigil.class, vigil.category, vigil.protection,
// vigil.confidence, vigil.review, vigil.override).
//
// # Privacy
//
// Evidence never contains values: only counts, rule and validator ids,
// class ids and the column's own header. Tests check this against demo data.
package classify
