package query

import (
	"strings"
)

// tokKind is the kind of a lexical token of DuckDB SQL.
type tokKind uint8

const (
	tokWord   tokKind = iota // keyword, identifier or number
	tokQuoted                // "quoted identifier" (text unescaped)
	tokString                // 'string', E'string' or $tag$string$tag$ (text unescaped)
	tokPunct                 // any other character, or a $1 / $name parameter
	tokSemi                  // ;
)

// token is one lexical token; pos is its byte offset in the source.
type token struct {
	kind tokKind
	text string
	pos  int
}

// lex splits src into tokens, skipping white space and comments. complete is
// false when src ends inside a string, quoted identifier or comment: more
// input is needed before the statement can end. lex never fails; it is a
// best-effort scanner for splitting statements and spotting names, and
// DuckDB's parser stays the judge of the SQL.
func lex(src string) (toks []token, complete bool) {
	i, n := 0, len(src)
	for i < n {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '-' && i+1 < n && src[i+1] == '-':
			for i < n && src[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < n && src[i+1] == '*':
			depth := 0
			for i < n {
				if i+1 < n && src[i] == '/' && src[i+1] == '*' {
					depth++
					i += 2
					continue
				}
				if i+1 < n && src[i] == '*' && src[i+1] == '/' {
					depth--
					i += 2
					if depth == 0 {
						break
					}
					continue
				}
				i++
			}
			if depth > 0 {
				return toks, false
			}
		case c == '\'':
			text, end, ok := quoted(src, i, '\'', false)
			toks = append(toks, token{tokString, text, i})
			if !ok {
				return toks, false
			}
			i = end
		case c == '"':
			text, end, ok := quoted(src, i, '"', false)
			toks = append(toks, token{tokQuoted, text, i})
			if !ok {
				return toks, false
			}
			i = end
		case c == '$':
			if tag, ok := dollarTag(src, i); ok {
				body := i + len(tag)
				j := strings.Index(src[body:], tag)
				if j < 0 {
					toks = append(toks, token{tokString, src[body:], i})
					return toks, false
				}
				toks = append(toks, token{tokString, src[body : body+j], i})
				i = body + j + len(tag)
				continue
			}
			j := i + 1
			for j < n && isIdentByte(src[j]) {
				j++
			}
			toks = append(toks, token{tokPunct, src[i:j], i})
			i = j
		case c == ';':
			toks = append(toks, token{tokSemi, ";", i})
			i++
		case isIdentByte(c):
			j := i + 1
			for j < n && (isIdentByte(src[j]) || src[j] == '$') {
				j++
			}
			if j == i+1 && (c == 'e' || c == 'E') && j < n && src[j] == '\'' {
				text, end, ok := quoted(src, j, '\'', true)
				toks = append(toks, token{tokString, text, i})
				if !ok {
					return toks, false
				}
				i = end
				continue
			}
			toks = append(toks, token{tokWord, src[i:j], i})
			i = j
		default:
			toks = append(toks, token{tokPunct, src[i : i+1], i})
			i++
		}
	}
	return toks, true
}

// isIdentByte reports whether c may be part of an unquoted identifier,
// keyword or number. Bytes of multi-byte UTF-8 characters count as letters,
// so that 客户 is one word.
func isIdentByte(c byte) bool {
	return c == '_' || c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// quoted reads a string or quoted identifier that starts at src[start] (the
// quote q). A doubled quote stands for one; with backslash, \x escapes x.
// It returns the unescaped text, the offset after the closing quote and
// whether the closing quote was found.
func quoted(src string, start int, q byte, backslash bool) (string, int, bool) {
	var b strings.Builder
	i := start + 1
	for i < len(src) {
		c := src[i]
		switch {
		case backslash && c == '\\' && i+1 < len(src):
			b.WriteByte(src[i+1])
			i += 2
		case c == q && i+1 < len(src) && src[i+1] == q:
			b.WriteByte(q)
			i += 2
		case c == q:
			return b.String(), i + 1, true
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), len(src), false
}

// dollarTag returns the opening $tag$ (or $$) of a dollar-quoted string that
// starts at src[i].
func dollarTag(src string, i int) (string, bool) {
	j := i + 1
	for j < len(src) && src[j] != '$' {
		c := src[j]
		if !(c == '_' || c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (j > i+1 && c >= '0' && c <= '9')) {
			return "", false
		}
		j++
	}
	if j >= len(src) {
		return "", false
	}
	return src[i : j+1], true
}

// stmt is one statement cut from a script: its text without the closing
// semicolon, and the 1-based line it starts on.
type stmt struct {
	text string
	line int
}

// split cuts src into the statements that a semicolon ends. rest is the
// offset of the text after the last complete statement: an unfinished
// statement (or only blanks and comments). Statements holding no token are
// dropped.
func split(src string) (stmts []stmt, rest int) {
	toks, _ := lex(src)
	start, first := 0, -1
	for _, t := range toks {
		if t.kind != tokSemi {
			if first < 0 {
				first = t.pos
			}
			continue
		}
		if first >= 0 {
			stmts = append(stmts, stmt{text: strings.TrimSpace(src[first:t.pos]), line: 1 + strings.Count(src[:first], "\n")})
		}
		start, first = t.pos+1, -1
	}
	return stmts, start
}

// blank reports whether src holds no token: only white space and comments.
// An unterminated comment is not blank: more input may follow.
func blank(src string) bool {
	toks, complete := lex(src)
	return len(toks) == 0 && complete
}

// statements returns the complete statements of src, including a last one
// without a closing semicolon.
func statements(src string) []stmt {
	stmts, rest := split(src)
	if tail := src[rest:]; !blank(tail) {
		toks, _ := lex(tail)
		if len(toks) > 0 {
			first := rest + toks[0].pos
			stmts = append(stmts, stmt{text: strings.TrimSpace(src[first:]), line: 1 + strings.Count(src[:first], "\n")})
		}
	}
	return stmts
}

// words returns the lower-cased words and quoted identifiers of sql, and
// those of the SQL or paths inside its string literals (to depth 2), so that
// query('SELECT * FROM t') and read_parquet('.../t/part.parquet') name t.
func words(sql string) map[string]bool {
	out := map[string]bool{}
	collectWords(sql, out, 0)
	return out
}

func collectWords(sql string, out map[string]bool, depth int) {
	toks, _ := lex(sql)
	for _, t := range toks {
		switch t.kind {
		case tokWord, tokQuoted:
			out[strings.ToLower(t.text)] = true
		case tokString:
			out[strings.ToLower(t.text)] = true
			for _, part := range strings.FieldsFunc(t.text, func(r rune) bool { return r == '/' || r == '\\' }) {
				out[strings.ToLower(part)] = true
			}
			if depth < 2 {
				collectWords(t.text, out, depth+1)
			}
		}
	}
}

// calls returns the lower-cased names written directly before an opening
// parenthesis: the functions sql calls, including inside string literals
// (to depth 2).
func calls(sql string) map[string]bool {
	out := map[string]bool{}
	collectCalls(sql, out, 0)
	return out
}

func collectCalls(sql string, out map[string]bool, depth int) {
	toks, _ := lex(sql)
	for i, t := range toks {
		switch t.kind {
		case tokWord, tokQuoted:
			if i+1 < len(toks) && toks[i+1].kind == tokPunct && toks[i+1].text == "(" {
				out[strings.ToLower(t.text)] = true
			}
		case tokString:
			if depth < 2 {
				collectCalls(t.text, out, depth+1)
			}
		}
	}
}
