package testlog_test

import (
	"strings"
	"testing"

	"github.com/selfrepair/selfrepair/languages/testlog"
	"github.com/selfrepair/selfrepair/sandbox"
)

// TestJUnitFromJUnitCore runs a JUnit 4 suite with the JUnitCore command
// line repository mode is given, through Instrument's plan, in the java
// image: the image's runner writes the report the plan reads.
func TestJUnitFromJUnitCore(t *testing.T) {
	p := testlog.Instrument("javac -nowarn -d /tmp/c -cp /usr/share/java/junit4.jar:/usr/share/java/hamcrest.jar a/*.java" +
		" && java -cp /tmp/c:/usr/share/java/junit4.jar:/usr/share/java/hamcrest.jar org.junit.runner.JUnitCore a.CalcTest a.Missing")
	if p.Format != testlog.FormatJUnit || p.Report == "" {
		t.Fatalf("plan %+v", p)
	}
	out := run(t, "java", sandbox.Job{
		Files: map[string][]byte{"a/CalcTest.java": []byte(`package a;

import static org.junit.Assert.assertEquals;
import static org.hamcrest.CoreMatchers.is;
import static org.hamcrest.MatcherAssert.assertThat;

import org.junit.Ignore;
import org.junit.Test;

public class CalcTest {
    @Test
    public void pass() {
        assertEquals(2, 1 + 1);
    }

    @Test
    public void fail() {
        assertEquals("sums differ", 3, 1 + 1);
    }

    @Test
    public void matcher() {
        assertThat("abc", is("abd"));
    }

    @Test
    public void error() {
        throw new IllegalStateException("boom");
    }

    @Ignore("not today")
    @Test
    public void ignored() {
    }

    @Test(timeout = 200)
    public void slow() {
        while (true) {
            Thread.onSpinWait();
        }
    }
}
`)},
		Env:  p.Env,
		Argv: []string{"sh", "-c", "(" + p.Command + ") >/dev/null 2>&1; echo exit $? >&2; cat /tmp/" + p.Report},
	})
	log, err := p.Read(out, nil, nil, 1)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	check(t, log, out, want{
		"a.CalcTest::pass":               {testlog.Passed, ""},
		"a.CalcTest::fail":               {testlog.Failed, "sums differ expected:<3> but was:<2>"},
		"a.CalcTest::matcher":            {testlog.Failed, `Expected: is "abd"`},
		"a.CalcTest::error":              {testlog.Failed, "IllegalStateException: boom"},
		"a.CalcTest::ignored":            {testlog.Skipped, "not today"},
		"a.CalcTest::slow":               {testlog.Failed, "timed out after 200 milliseconds"},
		"a.Missing::initializationError": {testlog.Failed, "ClassNotFoundException"},
	}, 0)
}

// TestJUnitCoreExitEarly: a test that ends the JVM with status 0 before the
// run ends leaves no report, and the plan's reading says the run is void.
func TestJUnitCoreExitEarly(t *testing.T) {
	p := testlog.Instrument("javac -nowarn -d /tmp/c -cp /usr/share/java/junit4.jar a/*.java && java -cp /tmp/c:/usr/share/java/junit4.jar org.junit.runner.JUnitCore a.ExitTest")
	out := run(t, "java", sandbox.Job{
		Files: map[string][]byte{"a/ExitTest.java": []byte(`package a;

import org.junit.Test;

public class ExitTest {
    @Test
    public void exits() {
        System.out.println("OK (1 test)");
        System.exit(0);
    }
}
`)},
		Env:  p.Env,
		Argv: []string{"sh", "-c", "(" + p.Command + ") >/dev/null 2>&1 && echo exited 0; cat /tmp/" + p.Report + " 2>/dev/null"},
	})
	if string(out) != "exited 0\n" {
		t.Fatalf("the run printed %q, want only its exit status 0 and no report", out)
	}
	log, err := p.Read(nil, out, nil, 0)
	if err != nil || len(log.Cases) != 0 || len(log.Errors) != 1 {
		t.Fatalf("log %+v, %v: want no case and one error", log, err)
	}
}

// mavenPOM is a one-module Maven project with JUnit 4, as the java image's
// Maven builds it offline from Debian's repository.
const mavenPOM = `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>example</groupId>
  <artifactId>calc</artifactId>
  <version>1.0</version>
  <properties>
    <maven.compiler.source>17</maven.compiler.source>
    <maven.compiler.target>17</maven.compiler.target>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <dependencies>
    <dependency>
      <groupId>junit</groupId>
      <artifactId>junit</artifactId>
      <version>4.13.2</version>
      <scope>test</scope>
    </dependency>
  </dependencies>
</project>
`

// TestJUnitFromMaven runs a failing JUnit 4 suite with mvn test, through
// Instrument's plan, in the java image: surefire's reports of two test
// classes are gathered into the one the plan reads, and a report left in
// target from before the run (by a set-up, say) is not read.
func TestJUnitFromMaven(t *testing.T) {
	p := testlog.Instrument("mvn -q test")
	if p.Format != testlog.FormatJUnit || p.Report == "" {
		t.Fatalf("plan %+v", p)
	}
	out := run(t, "java", sandbox.Job{
		Files: map[string][]byte{
			"pom.xml":                            []byte(mavenPOM),
			"src/main/java/calc/Calc.java":       []byte("package calc;\n\npublic class Calc {\n    public static int add(int a, int b) { return a - b; }\n}\n"),
			"target/surefire-reports/TEST-x.xml": []byte(`<testsuite name="x"><testcase classname="calc.Old" name="stale"/></testsuite>`),
			"src/test/java/calc/CalcTest.java": []byte(`package calc;

import static org.junit.Assert.assertEquals;

import org.junit.Ignore;
import org.junit.Test;

public class CalcTest {
    @Test
    public void zero() {
        assertEquals(0, Calc.add(0, 0));
    }

    @Test
    public void adds() {
        assertEquals("1 + 2", 3, Calc.add(1, 2));
    }

    @Ignore("not today")
    @Test
    public void ignored() {
    }
}
`),
			"src/test/java/calc/ParseTest.java": []byte(`package calc;

import org.junit.Test;

public class ParseTest {
    @Test
    public void parses() {
        Integer.parseInt("x1");
    }
}
`),
		},
		Env:  p.Env,
		Argv: []string{"sh", "-c", "(" + p.Command + ") >/dev/null 2>&1; echo exit $? >&2; cat /tmp/" + p.Report},
	})
	log, err := p.Read(out, nil, nil, 1)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	check(t, log, out, want{
		"calc.CalcTest::zero":    {testlog.Passed, ""},
		"calc.CalcTest::adds":    {testlog.Failed, "1 + 2 expected:<3> but was:<-1>"},
		"calc.CalcTest::ignored": {testlog.Skipped, "not today"},
		"calc.ParseTest::parses": {testlog.Failed, `NumberFormatException: For input string: "x1"`},
	}, 0)
}

// TestMavenCompileError: a Maven run whose sources do not compile writes
// no surefire report; the plan's reading is void, with the compiler's
// message.
func TestMavenCompileError(t *testing.T) {
	p := testlog.Instrument("mvn test")
	out := run(t, "java", sandbox.Job{
		Files: map[string][]byte{
			"pom.xml":                      []byte(mavenPOM),
			"src/main/java/calc/Calc.java": []byte("package calc;\n\npublic class Calc {\n    public static int add(int a, int b) { return a - c; }\n}\n"),
		},
		Env:  p.Env,
		Argv: []string{"sh", "-c", "(" + p.Command + ") 2>&1; echo exit $?; cat /tmp/" + p.Report + " 2>/dev/null"},
	})
	if !strings.Contains(string(out), "exit 1\n") {
		t.Fatalf("mvn test did not fail:\n%s", out)
	}
	log, err := p.Read(nil, out, nil, 1)
	if err != nil || len(log.Cases) != 0 || len(log.Errors) != 1 || !strings.Contains(log.Errors[0], "cannot find symbol") {
		t.Fatalf("log %+v, %v: want no case and the compile error\n%s", log, err, out)
	}
}
