package testlog

import "testing"

func TestInstrument(t *testing.T) {
	for _, c := range []struct {
		cmd, runner, command string
		format               Format
	}{
		{"python -m pytest -q", "pytest", "python -m pytest -q", FormatJUnit},
		{"cd src && pytest tests/test_parser.py", "pytest", "cd src && pytest tests/test_parser.py", FormatJUnit},
		{"go test ./...", "go test", "go test -json ./...", FormatGoTest},
		{"GO111MODULE=off go test -count=1 .", "go test", "GO111MODULE=off go test -json -count=1 .", FormatGoTest},
		{"go test -json ./...", "go test", "go test -json ./...", FormatGoTest},
		{"node --test", "node --test", "node --test --test-reporter=tap", FormatTAP},
		{"cargo test --offline", "cargo test", "cargo test --offline", FormatLibtest},
		{"python3 -m unittest discover -s tests", "unittest", "python3 -m unittest -v discover -s tests", FormatUnittest},
		{"python -m unittest -v", "unittest", "python -m unittest -v", FormatUnittest},
		{"javac -d /tmp/c *.java && java -cp /tmp/c:/usr/share/java/junit4.jar org.junit.runner.JUnitCore a.ATest", "JUnitCore",
			"javac -d /tmp/c *.java && java -cp /tmp/c:/usr/share/java/junit4.jar selfrepair.junit.Report a.ATest", FormatJUnit},
		{"jest", "jest", "jest --ci --json --outputFile=/tmp/" + JestReportFile, FormatJest},
		{"npx jest --runInBand", "jest", "npx jest --ci --json --outputFile=/tmp/" + JestReportFile + " --runInBand", FormatJest},
		{"cd web && ./node_modules/.bin/jest tests/", "jest",
			"cd web && ./node_modules/.bin/jest --ci --json --outputFile=/tmp/" + JestReportFile + " tests/", FormatJest},
		{"CI=1 node_modules/.bin/jest --ci", "jest", "CI=1 node_modules/.bin/jest --json --outputFile=/tmp/" + JestReportFile + " --ci", FormatJest},
		{"mvn test", "maven", maven("mvn -B test"), FormatJUnit},
		{"mvn -q -pl core verify", "maven", maven("mvn -B -q -pl core verify"), FormatJUnit},
		{"./mvnw --batch-mode test -Dtest=ParserTest", "maven", maven("./mvnw --batch-mode test -Dtest=ParserTest"), FormatJUnit},
		{"cd svc && mvn -B surefire:test", "maven", maven("cd svc && mvn -B surefire:test"), FormatJUnit},
		{"mvn compile", "", "mvn compile", FormatExit},
		{"mvn-test-helper", "", "mvn-test-helper", FormatExit},
		{"jest-cli-foo --all", "", "jest-cli-foo --all", FormatExit},
		{"node jest/run.js", "", "node jest/run.js", FormatExit},
		{"cd jest && make test", "", "cd jest && make test", FormatExit},
		{"make check", "", "make check", FormatExit},
		{"npm test", "", "npm test", FormatExit},
		{"gotest", "", "gotest", FormatExit},
	} {
		p := Instrument(c.cmd)
		if p.Runner != c.runner || p.Command != c.command || p.Format != c.format {
			t.Errorf("Instrument(%q) = %q %q %q, want %q %q %q", c.cmd, p.Runner, p.Command, p.Format, c.runner, c.command, c.format)
		}
	}
}

// maven is the command of Maven's plan for cmd.
func maven(cmd string) string {
	return surefireReports + "\n{ " + cmd + "\n}; s=$?; " + surefireCollect + "; exit $s"
}

func TestReadExit(t *testing.T) {
	p := Instrument("make check")
	for _, c := range []struct {
		exit int
		want Status
	}{{0, Passed}, {2, Failed}} {
		l, err := p.Read(nil, []byte("out"), []byte("boom"), c.exit)
		if err != nil || len(l.Cases) != 1 || l.Cases[0].Status != c.want || l.Cases[0].Name != ExitCase {
			t.Errorf("exit %d: %+v %v", c.exit, l, err)
		}
	}
}
