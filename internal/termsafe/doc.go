// Package termsafe makes strings from data, headers and errors safe to print
// on a terminal.
//
// # Why
//
// A CSV header or a cell may hold ANSI escape sequences ("\x1b[2J", an OSC 8
// hyperlink, a title change) or bidirectional overrides (U+202E) that a
// terminal would obey: clear the screen, hide text, or make a printed value
// read differently from what it is. Every string that came from data and
// reaches a terminal goes through String first.
//
// # What it does
//
// C0 and C1 control characters, DEL, Unicode bidi controls and other format
// characters (category Cf, e.g. zero-width joiners are kept out of sight) are
// replaced by a visible escape such as \x1b or \u202e; invalid UTF-8 bytes
// become \xNN. Newlines and tabs are kept when keepNewlines is true (an error
// message with several lines), else escaped too (a value in a table row).
// Printable text, including CJK, is unchanged.
package termsafe
