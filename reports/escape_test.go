package reports

import "testing"

func TestEscape(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "hello\n\tworld", "hello\n\tworld"},
		{"ansi", "\x1b[31mFAILED\x1b[0m", `\x1b[31mFAILED\x1b[0m`},
		{"carriage return and bell", "PASSED\rFAILED\x07", `PASSED\x0dFAILED\x07`},
		{"nul", "a\x00b", `a\x00b`},
		{"invalid utf8", "caf\xc3\xa9 \xff\xfe", `café \xff\xfe`},
		{"truncated sequence", "\xe2\x82", `\xe2\x82`},
		{"bidi override", "abc\u202edcba", `abc\u202edcba`},
		{"zero width", "a\u200bb", `a\u200bb`},
		{"c1 control", "\u009b31m", `\x9b31m`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Escape([]byte(tt.in)); got != tt.want {
				t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
