package bugs

import (
	"encoding/json"
	"fmt"
	"go/parser"
	"go/scanner"
	"go/token"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/selfrepair/selfrepair/languages/rust"
)

// humanEvalPackFiles maps a language to its humanevalpack_<part>.jsonl.gz.
var humanEvalPackFiles = map[string]string{
	"python": "python", "javascript": "js", "go": "go", "cpp": "cpp", "java": "java", "rust": "rust",
}

// humanEvalFixRow is a HumanEvalPack row, with the fields the repositories
// are made of.
type humanEvalFixRow struct {
	TaskID            string `json:"task_id"`
	Prompt            string `json:"prompt"`
	CanonicalSolution string `json:"canonical_solution"`
	BuggySolution     string `json:"buggy_solution"`
	BugType           string `json:"bug_type"`
	Test              string `json:"test"`
	EntryPoint        string `json:"entry_point"`
	Import            string `json:"import"`     // go
	TestSetup         string `json:"test_setup"` // go
}

// A layout makes a language's repository from a row.
type layout func(r humanEvalFixRow) (Task, error)

var layouts = map[string]layout{
	"python": pythonTask, "javascript": javaScriptTask, "go": goTask, "cpp": cppTask, "java": javaTask, "rust": rustTask,
}

// loadHumanEvalFix reads one language's HumanEvalPack file.
func loadHumanEvalFix(file, language string) ([]Task, error) {
	var out []Task
	err := readGzipJSONL(file, func(n int, raw json.RawMessage) error {
		var r humanEvalFixRow
		if err := json.Unmarshal(raw, &r); err != nil {
			return fmt.Errorf("bugs: %s: row %d: %v", file, n, err)
		}
		if r.TaskID == "" || r.Prompt == "" || r.BuggySolution == "" || r.CanonicalSolution == "" || r.Test == "" {
			return fmt.Errorf("bugs: %s: row %d lacks task_id, prompt, buggy_solution, canonical_solution or test", file, n)
		}
		t, err := layouts[language](r)
		if err != nil {
			return fmt.Errorf("bugs: %s: %v", r.TaskID, err)
		}
		t.ID, t.Set, t.Language, t.BugType = r.TaskID, HumanEvalFix, language, r.BugType
		out = append(out, t)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Python.

// pythonHeader is bigcode-evaluation-harness's import header for Python,
// less its two numpy imports: the python image has no numpy, and no task
// uses it (the data README: the header changes no verdict).
const pythonHeader = `import math
import re
import sys
import copy
import datetime
import itertools
import collections
import heapq
import statistics
import functools
import hashlib
import string
from typing import *
from collections import *

`

// trailingCheck is the last line of a Python test, check(<entry point>).
var trailingCheck = regexp.MustCompile(`\n[ \t]*check\(([A-Za-z_][A-Za-z0-9_]*)\)[ \t;]*\n*$`)

// pythonTask: solution.py (the header, the prompt and the solution) and
// test_solution.py (the test, whose check is called by a pytest test).
func pythonTask(r humanEvalFixRow) (Task, error) {
	m := trailingCheck.FindStringSubmatchIndex(r.Test)
	if m == nil {
		return Task{}, fmt.Errorf("the test does not end with check(<entry point>)")
	}
	entry := r.Test[m[2]:m[3]]
	test := "from solution import *\n\n\n" + strings.TrimLeft(r.Test[:m[0]], "\n") + "\n\n\ndef test_check():\n    check(" + entry + ")\n"
	return Task{
		Files: map[string]string{
			"solution.py":      pythonHeader + withNewline(r.Prompt+r.BuggySolution),
			"test_solution.py": test,
		},
		Fixed: map[string]string{"solution.py": pythonHeader + withNewline(r.Prompt+r.CanonicalSolution)},
		Tests: []string{"test_solution.py"},
		// No __pycache__ or .pytest_cache in the repository.
		Test: "PYTHONDONTWRITEBYTECODE=1 python3 -m pytest -q -p no:cacheprovider",
	}, nil
}

// JavaScript.

// jsModules is where the javascript image keeps its node modules
// (languages/javascript): js-md5, which JavaScript/162 requires.
const jsModules = "/usr/lib/selfrepair/javascript/node_modules"

// jsTopLevel finds the names a JavaScript file declares at its top level
// (at the start of a line).
var jsTopLevel = regexp.MustCompile(`(?m)^(?:(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)|(?:const|let|var|class)\s+([A-Za-z_$][\w$]*))`)

// jsTestName finds the function a JavaScript test declares and calls.
var jsTestName = regexp.MustCompile(`(?m)^const\s+(test[\w$]*)\s*=`)

// jsConsole makes a failed console.assert (the tests' checks, which only
// print) throw, so that it fails its node:test test at its own line.
const jsConsole = `// The checks are console.assert calls, which only print when they fail:
// here a failed check throws and fails the test, at its line.
const console = {
  ...globalThis.console,
  assert(ok, ...message) {
    if (!ok) {
      throw new assert.AssertionError({
        message: 'console.assert failed' + (message.length ? ': ' + message.join(' ') : ''),
        stackStartFn: console.assert,
      });
    }
  },
};
`

// javaScriptTask: solution.js (the prompt and the solution, exporting what
// the prompt declares) and test.js (the test in a node:test test).
func javaScriptTask(r humanEvalFixRow) (Task, error) {
	var names []string
	for _, m := range jsTopLevel.FindAllStringSubmatch(r.Prompt, -1) {
		if n := m[1] + m[2]; !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return Task{}, fmt.Errorf("the prompt declares nothing")
	}
	exports := "\nmodule.exports = { " + strings.Join(names, ", ") + " };\n"
	var used []string
	for _, n := range names {
		if regexp.MustCompile(`(^|[^\w$.])` + regexp.QuoteMeta(n) + `($|[^\w$])`).MatchString(r.Test) {
			used = append(used, n)
		}
	}
	if len(used) == 0 {
		used = names
	}
	name := r.EntryPoint // not always the prompt's name (JavaScript/114)
	if m := jsTestName.FindStringSubmatch(r.Test); m != nil {
		name = m[1]
	}
	test := "const { test } = require('node:test');\nconst assert = require('node:assert');\n" +
		"const { " + strings.Join(used, ", ") + " } = require('./solution.js');\n\n" + jsConsole + "\n" +
		"test(" + strconv.Quote(name) + ", () => {\n" + withNewline(r.Test) + "});\n"
	return Task{
		Files: map[string]string{
			"solution.js": withNewline(r.Prompt+r.BuggySolution) + exports,
			"test.js":     test,
		},
		Fixed: map[string]string{"solution.js": withNewline(r.Prompt+r.CanonicalSolution) + exports},
		Tests: []string{"test.js"},
		Test:  "NODE_PATH=" + jsModules + " node --test",
	}, nil
}

// Go.

// goHarnessImports are the packages bigcode-evaluation-harness imports for
// a Go program that uses them by name.
var goHarnessImports = []string{"math", "strings", "fmt", "strconv", "time", "bytes", "regexp", "sort", "math/rand", "crypto/md5"}

// goPromptImports is the import block a Go prompt starts with.
var goPromptImports = regexp.MustCompile(`^\s*import\s*(\([^)]*\)|"[^"]*")[ \t]*\n`)

// goTask: solution.go (package main, the imports it uses, the prompt
// without its import block and the solution) and solution_test.go (the
// test setup's imports it uses and the test). The commands run go test in
// GOPATH mode, where Debian's testify is found in /usr/share/gocode.
func goTask(r humanEvalFixRow) (Task, error) {
	prompt := r.Prompt
	if loc := goPromptImports.FindStringIndex(prompt); loc != nil {
		prompt = prompt[loc[1]:]
	}
	prompt = strings.TrimLeft(prompt, "\n")
	promptImports, err := goImports(r.Import)
	if err != nil {
		return Task{}, fmt.Errorf("import: %v", err)
	}
	setupImports, err := goImports(r.TestSetup)
	if err != nil {
		return Task{}, fmt.Errorf("test_setup: %v", err)
	}
	source := func(solution string) string {
		code := withNewline(prompt + solution)
		return goFile(code, promptImports, goHarnessImports)
	}
	return Task{
		Files: map[string]string{
			"solution.go":      source(r.BuggySolution),
			"solution_test.go": goFile(withNewline(r.Test), setupImports, goHarnessImports),
		},
		Fixed: map[string]string{"solution.go": source(r.CanonicalSolution)},
		Tests: []string{"solution_test.go"},
		// CGO_ENABLED=0: the image has no C compiler.
		Test: "GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE=/tmp/go-cache GOFLAGS=-buildvcs=false CGO_ENABLED=0 " +
			"go test -count=1 -timeout=30s -json .",
	}, nil
}

// goImports are the import paths of a Go import block (or of a file's
// header: its package clause and imports).
func goImports(src string) ([]string, error) {
	if strings.TrimSpace(src) == "" {
		return nil, nil
	}
	if !strings.HasPrefix(strings.TrimSpace(src), "package") {
		src = "package p\n" + src
	}
	f, err := parser.ParseFile(token.NewFileSet(), "", src, parser.ImportsOnly)
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, s := range f.Imports {
		p, err := strconv.Unquote(s.Path.Value)
		if err != nil {
			return nil, err
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// goFile is a file of package main: an import of each candidate package
// that code uses by name (a package's name followed by a dot), then code.
func goFile(code string, candidates ...[]string) string {
	byName := map[string]string{}
	for _, list := range candidates {
		for _, p := range list {
			n := p[strings.LastIndexByte(p, '/')+1:]
			if _, ok := byName[n]; !ok {
				byName[n] = p
			}
		}
	}
	var std, other []string
	for n := range goUsedNames(code, byName) {
		if p := byName[n]; strings.Contains(strings.SplitN(p, "/", 2)[0], ".") {
			other = append(other, p)
		} else {
			std = append(std, p)
		}
	}
	slices.Sort(std)
	slices.Sort(other)
	var b strings.Builder
	b.WriteString("package main\n\n")
	if len(std)+len(other) > 0 {
		b.WriteString("import (\n")
		for _, p := range std {
			b.WriteString("\t" + strconv.Quote(p) + "\n")
		}
		if len(std) > 0 && len(other) > 0 {
			b.WriteString("\n")
		}
		for _, p := range other {
			b.WriteString("\t" + strconv.Quote(p) + "\n")
		}
		b.WriteString(")\n\n")
	}
	b.WriteString(code)
	return b.String()
}

// goUsedNames are the names among names that code uses as a package: an
// identifier, not itself after a dot, followed by a dot (comments and
// literals do not count).
func goUsedNames(code string, names map[string]string) map[string]bool {
	src := []byte(code)
	fset := token.NewFileSet()
	var s scanner.Scanner
	s.Init(fset.AddFile("", fset.Base(), len(src)), src, nil, 0)
	used := map[string]bool{}
	prev, pending := token.ILLEGAL, ""
	for {
		_, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		if pending != "" && tok == token.PERIOD {
			used[pending] = true
		}
		pending = ""
		if _, ok := names[lit]; ok && tok == token.IDENT && prev != token.PERIOD {
			pending = lit
		}
		prev = tok
	}
	return used
}

// C++.

// cppHeader is bigcode-evaluation-harness's header block for C++, with
// the using directive after the includes.
const cppHeader = `#include<stdlib.h>
#include<algorithm>
#include<cmath>
#include<math.h>
#include<numeric>
#include<stdio.h>
#include<vector>
#include<set>
#include<map>
#include<queue>
#include<stack>
#include<list>
#include<deque>
#include<boost/any.hpp>
#include<string>
#include<climits>
#include<cstring>
#include<iostream>
#include<sstream>
#include<fstream>
using namespace std;
`

// cppTask: solution.hpp (the header block, the prompt and the solution)
// and test.cpp (which includes it, then the test: a main of asserts).
func cppTask(r humanEvalFixRow) (Task, error) {
	return Task{
		Files: map[string]string{
			"solution.hpp": cppHeader + withNewline(r.Prompt+r.BuggySolution),
			"test.cpp":     "#include \"solution.hpp\"\n" + withNewline(r.Test),
		},
		Fixed: map[string]string{"solution.hpp": cppHeader + withNewline(r.Prompt+r.CanonicalSolution)},
		Tests: []string{"test.cpp"},
		Test:  "g++ -std=c++17 -o /tmp/test test.cpp -lcrypto -lssl && /tmp/test",
	}, nil
}

// Java.

// javaImport is an import line of a Java prompt.
var javaImport = regexp.MustCompile(`(?m)^import\s+[\w.]+(?:\.\*)?\s*;[ \t]*$`)

// javaTask: Solution.java (the prompt, its imports and class Solution,
// and the solution) and Main.java (the prompt's imports and the test,
// class Main with main).
func javaTask(r humanEvalFixRow) (Task, error) {
	if !strings.Contains(r.Test, "class Main") {
		return Task{}, fmt.Errorf("the test has no class Main")
	}
	imports := strings.Join(javaImport.FindAllString(r.Prompt, -1), "\n")
	if imports != "" {
		imports += "\n\n"
	}
	return Task{
		Files: map[string]string{
			"Solution.java": withNewline(r.Prompt + r.BuggySolution),
			"Main.java":     imports + withNewline(r.Test),
		},
		Fixed: map[string]string{"Solution.java": withNewline(r.Prompt + r.CanonicalSolution)},
		Tests: []string{"Main.java"},
		Test:  "javac -d /tmp/classes Solution.java Main.java && java -ea -cp /tmp/classes Main",
	}, nil
}

// Rust.

// cargoManifest is the Rust repositories' Cargo.toml: the crates every
// HumanEval-X declaration imports, as the rust image has them (and has
// them built, with cargo's default profiles).
const cargoManifest = `[package]
name = "solution"
version = "0.1.0"
edition = "2021"

` + rust.CargoDependencies

// rustTests is a Rust test: its tests module, whose body is group 1.
var rustTests = regexp.MustCompile(`(?s)^\s*#\[cfg\(test\)\]\s*mod\s+tests\s*\{\n?(.*)\}\s*$`)

// rustTask: a cargo project whose src/main.rs is the prompt (which starts
// with fn main(){}) and the solution, with the tests module in
// src/tests.rs.
func rustTask(r humanEvalFixRow) (Task, error) {
	m := rustTests.FindStringSubmatch(r.Test)
	if m == nil {
		return Task{}, fmt.Errorf("the test is not one #[cfg(test)] mod tests { ... }")
	}
	const tail = "\n#[cfg(test)]\nmod tests;\n"
	return Task{
		Files: map[string]string{
			"Cargo.toml":         cargoManifest,
			".cargo/config.toml": rust.CargoConfig,
			".gitignore":         "/Cargo.lock\n/target/\n",
			"src/main.rs":        withNewline(r.Prompt+r.BuggySolution) + tail,
			"src/tests.rs":       unindent(strings.Trim(m[1], "\n")) + "\n",
		},
		Fixed: map[string]string{"src/main.rs": withNewline(r.Prompt+r.CanonicalSolution) + tail},
		Tests: []string{"src/tests.rs"},
		Test:  "cargo test --offline",
	}, nil
}

// unindent takes one level of a module's indentation (four spaces) off
// the lines of s that have it; blank lines become empty. The tests'
// lines do not all have it (#[test] is often at the start of its line).
func unindent(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) == "" {
			lines[i] = ""
		} else {
			lines[i] = strings.TrimPrefix(l, "    ")
		}
	}
	return strings.Join(lines, "\n")
}
