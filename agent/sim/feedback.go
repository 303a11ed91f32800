package sim

import (
	"regexp"
	"strings"

	"github.com/selfrepair/selfrepair/languages"
)

// feedbackRules read the failing error class out of a repair request's
// feedback text.
type feedbackRules struct {
	explicit  *regexp.Regexp // "error class: name", "error_class": "name"
	timeout   *regexp.Regexp
	memory    *regexp.Regexp
	output    *regexp.Regexp
	assertion *regexp.Regexp // weaker hints of a wrong answer
}

func newFeedbackRules() feedbackRules {
	return feedbackRules{
		explicit:  regexp.MustCompile("(?i)error[ _-]?class[\"'`]?[ \t]*[:=][ \t]*[\"'`]?([a-z][a-z-]*)"),
		timeout:   regexp.MustCompile(`(?i)\btimed?[ -]?out\b|\btimeout\b|time limit|took too long|infinite loop`),
		memory:    regexp.MustCompile(`(?i)memory limit|out of memory|\bOOM\b`),
		output:    regexp.MustCompile(`(?i)output[ -]limit|too much output`),
		assertion: regexp.MustCompile(`(?i)\bassert\b|wrong answer|expected\b.{0,200}\bgot\b`),
	}
}

// classify returns the error class the feedback reports, and false when
// it names none.
//
// An explicit "error class: <class>" line wins; otherwise the last of the
// language's failure words (coder.Failure: an exception name, say) or
// timeout/memory/output-limit phrase in the text (the final exception of a
// traceback comes last); otherwise "assert", "wrong answer" or "expected
// ... got" mean an assertion failure.
func (r feedbackRules) classify(text string, coder languages.Coder) (languages.Class, bool) {
	if ms := r.explicit.FindAllStringSubmatch(text, -1); ms != nil {
		for i := len(ms) - 1; i >= 0; i-- {
			if c := languages.Class(strings.ToLower(ms[i][1])); knownClass(c) {
				return c, true
			}
		}
	}
	best, at := coder.Failure(text)
	consider := func(re *regexp.Regexp, class func(string) languages.Class) {
		for _, loc := range re.FindAllStringSubmatchIndex(text, -1) {
			if loc[0] > at {
				best, at = class(text[loc[0]:loc[1]]), loc[0]
			}
		}
	}
	consider(r.timeout, func(string) languages.Class { return languages.Timeout })
	consider(r.memory, func(string) languages.Class { return languages.Memory })
	consider(r.output, func(string) languages.Class { return languages.OutputLimit })
	if at >= 0 {
		return best, true
	}
	if r.assertion.MatchString(text) {
		return languages.Assertion, true
	}
	return languages.OtherRuntime, false
}
