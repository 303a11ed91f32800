package testlog

import (
	"regexp"
	"strings"
)

// Format is how a run reports its tests.
type Format string

const (
	FormatJUnit    Format = "junit"     // a JUnit XML file (Plan.Report)
	FormatGoTest   Format = "go-json"   // go test -json on stdout
	FormatTAP      Format = "tap"       // TAP on stdout
	FormatLibtest  Format = "libtest"   // Rust's test harness on stdout
	FormatUnittest Format = "unittest"  // Python's unittest -v on stderr
	FormatJest     Format = "jest-json" // jest's --json results (Plan.Report)
	FormatExit     Format = "exit"      // none: the exit status is the only result
)

// ExitCase is the name of the one test of a FormatExit run: the command.
const ExitCase = "(the test command)"

// A Plan is how to run a test command so that its runner reports each
// test in a format this package reads: the command (perhaps with a flag
// added), the environment to add, and where the report is.
type Plan struct {
	Runner  string // pytest, go test, node --test, cargo test, or "" (unknown)
	Command string
	Env     map[string]string
	Format  Format
	// Report is the file in /tmp the runner writes its report to; "" when
	// the report is the standard output.
	Report string
}

// ReportFile is the name of the report file in /tmp of a runner that
// writes one.
const ReportFile = "selfrepair-report.xml"

// JUnitListener is the jar of the JUnit 4 runner the java image carries
// (languages/java builds it): JUnitCore's command line and text, plus
// each test's result as JUnit XML in the file its system property
// selfrepair.junit.report names. It is also a Java agent that does
// nothing, so that -javaagent puts it on any java command's class path.
const JUnitListener = "/usr/lib/selfrepair/java/junit-report.jar"

// The runners recognised in a command: the program, then its first words.
var (
	pytestRe   = regexp.MustCompile(`(^|[\s;&|(])(py\.test|pytest|python3?\s+-m\s+pytest)(\s|$)`)
	goTestRe   = regexp.MustCompile(`(^|[\s;&|(])go\s+test(\s|$)`)
	nodeRe     = regexp.MustCompile(`(^|[\s;&|(])node\s+--test(\s|$)`)
	unittestRe = regexp.MustCompile(`(^|[\s;&|(])python3?\s+-m\s+unittest(\s|$)`)
	cargoRe    = regexp.MustCompile(`(^|[\s;&|(])cargo\s+test(\s|$)`)
	junitRe    = regexp.MustCompile(`(^|[\s;&|(])java\s.*\borg\.junit\.runner\.JUnitCore(\s|$)`)
	// Maven, by name or its wrapper, running surefire: a phase from test
	// on, or surefire's goal.
	mavenRe      = regexp.MustCompile(`(^|[\s;&|(])(mvn|(\S*/)?mvnw)(\s|$)`)
	mavenPhaseRe = regexp.MustCompile(`(^|\s)(test|package|verify|install|deploy|surefire:test)(\s|$)`)
	// jest where a command starts (after variable assignments, npx, yarn,
	// pnpm [exec] or npm exec), by name or by a path that ends in it.
	jestRe = regexp.MustCompile(`(^|[;&|(])\s*(\w+=\S*\s+)*((npx|yarn|pnpm(\s+exec)?|npm\s+exec(\s+--)?)\s+(-\S+\s+)*)?(\S*/)?jest(\s|$)`)
)

// Instrument makes the plan for a test command. pytest is told by its
// environment to write JUnit XML (wherever it sits in the command); go test
// gets -json, node --test the TAP reporter and python -m unittest -v;
// java's org.junit.runner.JUnitCore becomes JUnitListener's runner;
// cargo test's text is read as it is; jest gets --ci and writes its --json
// results to JestReportFile; Maven running its test phase (or a later one)
// gets -B, and its surefire reports are gathered into ReportFile. Any other
// command is judged by its exit status alone.
func Instrument(cmd string) Plan {
	switch {
	case pytestRe.MatchString(cmd):
		return Plan{Runner: "pytest", Command: cmd, Format: FormatJUnit, Report: ReportFile,
			Env: map[string]string{"PYTEST_ADDOPTS": "--junitxml=/tmp/" + ReportFile + " -o junit_family=xunit1 -p no:cacheprovider"}}
	case goTestRe.MatchString(cmd):
		c := cmd
		if !strings.Contains(cmd, "-json") {
			c = insertAfter(goTestRe, cmd, " -json")
		}
		return Plan{Runner: "go test", Command: c, Format: FormatGoTest}
	case nodeRe.MatchString(cmd):
		c := cmd
		if !strings.Contains(cmd, "--test-reporter") {
			c = insertAfter(nodeRe, cmd, " --test-reporter=tap")
		}
		return Plan{Runner: "node --test", Command: c, Format: FormatTAP}
	case unittestRe.MatchString(cmd):
		c := cmd
		if !regexp.MustCompile(`unittest\s.*(-v|--verbose)\b`).MatchString(cmd + " ") {
			c = insertAfter(unittestRe, cmd, " -v")
		}
		return Plan{Runner: "unittest", Command: c, Format: FormatUnittest}
	case junitRe.MatchString(cmd):
		return Plan{Runner: "JUnitCore", Command: strings.ReplaceAll(cmd, "org.junit.runner.JUnitCore", "selfrepair.junit.Report"),
			Format: FormatJUnit, Report: ReportFile,
			Env: map[string]string{"JDK_JAVA_OPTIONS": "-javaagent:" + JUnitListener + " -Dselfrepair.junit.report=/tmp/" + ReportFile}}
	case cargoRe.MatchString(cmd):
		return Plan{Runner: "cargo test", Command: cmd, Format: FormatLibtest}
	case mavenRe.MatchString(cmd) && mavenPhaseRe.MatchString(cmd[mavenRe.FindStringIndex(cmd)[1]:]):
		c := cmd
		if !regexp.MustCompile(`(^|\s)(-B|--batch-mode)(\s|$)`).MatchString(cmd) {
			c = insertAfter(mavenRe, cmd, " -B")
		}
		return Plan{Runner: "maven", Command: surefireReports + "\n{ " + c + "\n}; s=$?; " + surefireCollect + "; exit $s",
			Format: FormatJUnit, Report: ReportFile}
	case jestRe.MatchString(cmd):
		flags := " --outputFile=/tmp/" + JestReportFile
		if !strings.Contains(cmd, "--json") {
			flags = " --json" + flags
		}
		if !strings.Contains(cmd, "--ci") {
			flags = " --ci" + flags
		}
		return Plan{Runner: "jest", Command: insertAfter(jestRe, cmd, flags), Format: FormatJest, Report: JestReportFile}
	}
	return Plan{Command: cmd, Format: FormatExit}
}

// Surefire writes a JUnit XML file per test class in each module's
// target/surefire-reports. A Maven run starts without them (a committed
// set-up may have left some), and its plan gathers what the run wrote into
// one report, each file's XML declaration taken out, when there is any
// (else, as after a compile error, the run wrote no report).
const (
	surefireReports = `find . -path '*/target/surefire-reports' -type d -prune -exec rm -rf {} + 2>/dev/null`
	surefireFiles   = `find . -path '*/target/surefire-reports/TEST-*.xml' -type f`
	surefireCollect = `if [ -n "$(` + surefireFiles + ` -print -quit)" ]; then { echo '<testsuites>'; ` +
		surefireFiles + ` -exec sed -s '1{/^<?xml/d}' {} +; echo '</testsuites>'; } >/tmp/` + ReportFile + `; fi`
)

// insertAfter puts flag after the first match of re in cmd (before the
// white space that ends it).
func insertAfter(re *regexp.Regexp, cmd, flag string) string {
	loc := re.FindStringIndex(cmd)
	end := loc[1]
	if end > 0 && end <= len(cmd) && (cmd[end-1] == ' ' || cmd[end-1] == '\t' || cmd[end-1] == '\n') {
		end--
	}
	return cmd[:end] + flag + cmd[end:]
}

// Read reads a run of the plan: its report file (nil when it wrote none),
// its standard output and error, and its exit status. A FormatExit run is
// one case, ExitCase, passed when the status is 0.
func (p Plan) Read(report, stdout, stderr []byte, exitCode int) (Log, error) {
	switch p.Format {
	case FormatJUnit:
		if len(report) == 0 {
			return Log{Errors: errorsOf(stdout, stderr, "the runner wrote no report")}, nil
		}
		return JUnit(report)
	case FormatGoTest:
		return GoTest(append(append([]byte(nil), stdout...), stderr...))
	case FormatTAP:
		return TAP(stdout)
	case FormatLibtest:
		return Libtest(append(append([]byte(nil), stdout...), stderr...))
	case FormatUnittest:
		return Unittest(append(append([]byte(nil), stdout...), stderr...))
	case FormatJest:
		if len(report) == 0 {
			return Log{Errors: errorsOf(stdout, stderr, "jest wrote no report")}, nil
		}
		return Jest(report)
	}
	c := Case{Name: ExitCase, Status: Passed}
	if exitCode != 0 {
		c.Status, c.Message = Failed, lastLines(string(stderr)+string(stdout), 20)
	}
	return Log{Cases: []Case{c}}, nil
}

// errorsOf is a run's failure outside any test: what it printed last.
func errorsOf(stdout, stderr []byte, why string) []string {
	out := lastLines(string(stdout)+"\n"+string(stderr), 40)
	if strings.TrimSpace(out) == "" {
		return []string{why}
	}
	return []string{why + ":\n" + out}
}

// lastLines are the last n non-empty-trailing lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n "), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
