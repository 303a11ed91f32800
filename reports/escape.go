package reports

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Escape makes program output safe to show a person: control characters
// (ESC, CR, BEL, NUL ...), bidirectional and zero-width code points and
// invalid UTF-8 come out as visible escapes, never interpreted by the
// terminal or browser. Newlines and tabs are kept.
func Escape(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b))
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&sb, `\x%02x`, b[0])
		case r == '\n' || r == '\t':
			sb.WriteRune(r)
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			fmt.Fprintf(&sb, `\x%02x`, r)
		case invisible(r):
			fmt.Fprintf(&sb, `\u%04x`, r)
		default:
			sb.Write(b[:size])
		}
		b = b[size:]
	}
	return sb.String()
}

// invisible reports code points that reorder or hide text.
func invisible(r rune) bool {
	switch {
	case r >= 0x200b && r <= 0x200f, // zero-width, LRM, RLM
		r >= 0x202a && r <= 0x202e, // bidi embeddings and overrides
		r >= 0x2066 && r <= 0x2069, // bidi isolates
		r == 0x061c, r == 0xfeff, r == 0x2028, r == 0x2029:
		return true
	}
	return false
}
