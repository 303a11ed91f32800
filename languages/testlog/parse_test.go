package testlog

import (
	"strings"
	"testing"
)

// Cases that real runners print rarely or only when things go wrong.
func TestEdges(t *testing.T) {
	// Maven Surefire writes one <testsuite> per class, an <error> with its
	// type and the trace as text.
	l, err := JUnit([]byte(`<?xml version="1.0"?><testsuite name="calc.CalcTest" tests="2">
<testcase classname="calc.CalcTest" name="adds"/>
<testcase classname="calc.CalcTest" name="divides"><error message="/ by zero" type="java.lang.ArithmeticException">java.lang.ArithmeticException: / by zero
	at calc.Calc.div(Calc.java:7)</error></testcase></testsuite>`))
	if err != nil || len(l.Cases) != 2 || l.Cases[1].Status != Failed || !strings.HasPrefix(l.Cases[1].Message, "java.lang.ArithmeticException: / by zero") {
		t.Errorf("surefire: %+v %v", l, err)
	}
	if _, err := JUnit([]byte(`<html><body>no</body></html>`)); err == nil || !strings.Contains(err.Error(), "the root is <html>") {
		t.Errorf("not junit: %v", err)
	}
	// A test binary that dies inside a test leaves it with no end.
	l, err = GoTest([]byte(`{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"output","Package":"p","Test":"TestA","Output":"panic: boom\n"}
{"Action":"output","Package":"p","Output":"FAIL\tp\t0.01s\n"}
{"Action":"fail","Package":"p"}
`))
	if err != nil || len(l.Cases) != 1 || l.Cases[0].Status != Failed || l.Cases[0].Message != "panic: boom" || len(l.Errors) != 0 {
		t.Errorf("crash in a test: %+v %v", l, err)
	}
	// go test -x writes its commands to stderr, read beside the events:
	// some start with "{", and are text.
	l, err = GoTest([]byte(`{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"pass","Package":"p","Test":"TestA"}
{"Action":"pass","Package":"p"}
WORK=/tmp/go-build1
{ echo 'packagefile fmt=/tmp/x.a'; } > $WORK/b001/importcfg
`))
	if err != nil || len(l.Cases) != 1 || l.Cases[0].Status != Passed || len(l.Errors) != 0 {
		t.Errorf("go test -x: %+v %v", l, err)
	}
	// TODO points are not failures; a plain TAP 13 stream with no names.
	l, _ = TAP([]byte("TAP version 13\n1..3\nok 1\nnot ok 2 - later # TODO not yet\nnot ok 3 - broken\n"))
	if len(l.Cases) != 3 || l.Cases[0].Status != Passed || l.Cases[1].Status != Skipped || l.Cases[2].Status != Failed {
		t.Errorf("tap: %+v", l)
	}
	// A test binary that crashed before its summary.
	l, _ = Libtest([]byte("running 1 test\nerror: test failed, to rerun pass `--lib`\n"))
	if len(l.Errors) != 1 {
		t.Errorf("libtest crash: %+v", l)
	}
}
