package languages

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"

	"github.com/selfrepair/selfrepair/sandbox"
)

// A language whose tests run in the same process as the code under test
// (compiled tests, a script's asserts) proves that they ran to the end
// with a token: Job puts a fresh random one in the job's environment
// (TokenEnv), the trusted test driver prints it last, on a line of its
// own (TokenLine), once every test has passed, and Classify passes the
// program only when its output ends with that line. A program that exits
// early, with status 0 or any other, before or during the tests, never
// prints it. Reading the token from the environment or from memory and
// printing it is a deliberate forgery by code running inside the tests'
// process, which this does not cover (see the README's threat model).
const TokenEnv = "SELFREPAIR_TOKEN"

// NewToken returns a fresh token: 128 random bits, in hex.
func NewToken() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// TokenLine is the line the test driver prints last, given the token.
func TokenLine(token string) string { return "selfrepair: tests completed " + token + "\n" }

// Completed reports whether the output of job ends with its token's line,
// and returns the output without that line. A job without a token never
// completed.
func Completed(job sandbox.Job, stdout []byte) ([]byte, bool) {
	token := job.Env[TokenEnv]
	if token == "" {
		return stdout, false
	}
	line := []byte(TokenLine(token))
	if !bytes.HasSuffix(stdout, line) {
		return stdout, false
	}
	return stdout[:len(stdout)-len(line)], true
}
