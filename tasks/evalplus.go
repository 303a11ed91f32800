package tasks

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// EvalPlus data files, relative to the data directory.
const (
	humanEvalPlusFile  = "evalplus/HumanEvalPlus-v0.1.10.jsonl.gz"
	mbppPlusFile       = "evalplus/MbppPlus-v0.2.0.jsonl.gz"
	mbppPlusOriginFile = "evalplus/MbppPlus-OriginFmt-v0.2.0.jsonl.gz"
)

// loadHumanEvalPlus reads HumanEval+ from HumanEvalPlus-v0.1.10.jsonl.gz. Its `test` is the original
// HumanEval check (the base tests); its plus_input becomes PlusTest.
func loadHumanEvalPlus(name, dataDir string) (*Dataset, error) {
	data, hash, err := readDataFile(name, dataDir, humanEvalPlusFile)
	if err != nil {
		return nil, err
	}
	ds := &Dataset{Name: name, Hash: hash}
	first := map[string]int{}
	err = eachLine(data, func(n int, line []byte) error {
		where := fmt.Sprintf("%s:%d", humanEvalPlusFile, n)
		var id, prompt, entry, reference, test string
		var atol float64
		fields, err := decodeEvalPlus(line, map[string]any{
			"task_id": &id, "prompt": &prompt, "entry_point": &entry, "canonical_solution": &reference,
			"test": &test, "atol": &atol, "plus_input": nil,
		})
		if err != nil {
			return fmt.Errorf("%s: %v", where, err)
		}
		if prev, dup := first[id]; dup {
			return fmt.Errorf("%s: task_id %q repeated (first on line %d)", where, id, prev)
		}
		first[id] = n
		t := Task{
			ID: id, Prompt: prompt, EntryPoint: entry, Test: test,
			Reference: reference, Style: Completion, Language: "python",
		}
		t.VisibleTest = humanEvalVisibleTest(t.ID, t.Prompt, t.EntryPoint)
		if t.PlusTest, err = plusTest(t, plusSpec{dataset: "humaneval", entryPoint: entry, inputs: fields["plus_input"], atol: atol}); err != nil {
			return fmt.Errorf("%s: %s: %v", where, t.ID, err)
		}
		ds.Tasks = append(ds.Tasks, t)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ds, nil
}

// loadMBPPPlus reads MBPP+ from MbppPlus-v0.2.0.jsonl.gz (prompt text, reference, plus inputs) and its
// OriginFmt twin (the original MBPP asserts and their imports, which become Test and Imports).
func loadMBPPPlus(name, dataDir string) (*Dataset, error) {
	data, hash, err := readDataFile(name, dataDir, mbppPlusFile)
	if err != nil {
		return nil, err
	}
	origin, originHash, err := readDataFile(name, dataDir, mbppPlusOriginFile)
	if err != nil {
		return nil, err
	}
	type originRow struct {
		line        int
		testList    []string
		testImports []string
	}
	origins := map[string]originRow{}
	err = eachLine(origin, func(n int, line []byte) error {
		var r struct {
			TaskID      json.Number `json:"task_id"` // 2 for Mbpp/2
			TestImports []string    `json:"test_imports"`
			TestList    []string    `json:"test_list"`
		}
		if err := json.Unmarshal(line, &r); err != nil {
			return fmt.Errorf("%s:%d: invalid JSON: %v", mbppPlusOriginFile, n, err)
		}
		id := "Mbpp/" + r.TaskID.String()
		if prev, dup := origins[id]; dup {
			return fmt.Errorf("%s:%d: task_id %s repeated (first on line %d)", mbppPlusOriginFile, n, r.TaskID, prev.line)
		}
		if len(r.TestList) == 0 {
			return fmt.Errorf("%s:%d: task %s has an empty test_list", mbppPlusOriginFile, n, r.TaskID)
		}
		origins[id] = originRow{line: n, testList: crlfAll(r.TestList), testImports: crlfAll(r.TestImports)}
		return nil
	})
	if err != nil {
		return nil, err
	}
	ds := &Dataset{Name: name, Hash: combinedHash(hash, originHash)}
	first := map[string]int{}
	err = eachLine(data, func(n int, line []byte) error {
		where := fmt.Sprintf("%s:%d", mbppPlusFile, n)
		var r struct{ TaskID, Prompt, EntryPoint, CanonicalSolution string }
		var atol float64
		fields, err := decodeEvalPlus(line, map[string]any{
			"task_id": &r.TaskID, "prompt": &r.Prompt, "entry_point": &r.EntryPoint,
			"canonical_solution": &r.CanonicalSolution, "atol": &atol, "plus_input": nil,
		})
		if err != nil {
			return fmt.Errorf("%s: %v", where, err)
		}
		if prev, dup := first[r.TaskID]; dup {
			return fmt.Errorf("%s: task_id %q repeated (first on line %d)", where, r.TaskID, prev)
		}
		first[r.TaskID] = n
		o, ok := origins[r.TaskID]
		if !ok {
			return fmt.Errorf("%s: %s is not in %s", where, r.TaskID, mbppPlusOriginFile)
		}
		delete(origins, r.TaskID)
		text, shown, err := mbppPlusPromptText(r.Prompt)
		if err != nil {
			return fmt.Errorf("%s: %s: %v", where, r.TaskID, err)
		}
		if shown != o.testList[0] {
			return fmt.Errorf("%s: %s: the prompt's assert %q is not the first assert of %s line %d", where, r.TaskID, shown, mbppPlusOriginFile, o.line)
		}
		num, err := strconv.Atoi(strings.TrimPrefix(r.TaskID, "Mbpp/"))
		if err != nil || !strings.HasPrefix(r.TaskID, "Mbpp/") {
			return fmt.Errorf("%s: task_id %q is not Mbpp/<number>", where, r.TaskID)
		}
		t := Task{
			ID:          r.TaskID,
			Prompt:      mbppPrompt(text, o.testList),
			Imports:     strings.Join(o.testImports, "\n"),
			Test:        strings.Join(o.testList, "\n"),
			VisibleTest: o.testList[0],
			Reference:   crlf(r.CanonicalSolution),
			Style:       Program,
			Language:    "python",
		}
		if t.PlusTest, err = plusTest(t, plusSpec{
			dataset: "mbpp", entryPoint: r.EntryPoint, inputs: fields["plus_input"], atol: atol,
			deserialize: mbppPlusDeserializer(num),
		}); err != nil {
			return fmt.Errorf("%s: %s: %v", where, t.ID, err)
		}
		ds.Tasks = append(ds.Tasks, t)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(origins) > 0 {
		id := ""
		for k, o := range origins {
			if id == "" || o.line < origins[id].line {
				id = k
			}
		}
		return nil, fmt.Errorf("%s:%d: %s is not in %s", mbppPlusOriginFile, origins[id].line, id, mbppPlusFile)
	}
	return ds, nil
}

// combinedHash is the Dataset.Hash of a dataset read from several files: the sha256 of their hashes in order.
func combinedHash(hashes ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(hashes, "\n")))
	return hex.EncodeToString(sum[:])
}

// mbppPlusPromptText splits an MBPP+ prompt, `"""\n<text>\n<assert>\n"""\n`, into the task text and the assert.
func mbppPlusPromptText(prompt string) (text, shown string, err error) {
	body, ok := strings.CutPrefix(crlf(prompt), "\"\"\"\n")
	if ok {
		body, ok = strings.CutSuffix(body, "\n\"\"\"\n")
	}
	i := strings.LastIndex(body, "\n")
	if !ok || i < 0 || !strings.HasPrefix(body[i+1:], "assert ") {
		return "", "", fmt.Errorf("prompt %q is not `\"\"\"\\n<text>\\n<assert>\\n\"\"\"\\n`", prompt)
	}
	return strings.TrimRight(body[:i], " "), body[i+1:], nil
}

// decodeEvalPlus splits an EvalPlus JSONL row into its members and decodes each member named in into
// (name -> pointer, or nil for a member that must be present but is not decoded) with encoding/json.
// It returns all raw members.
// The rows can hold NaN and (-)Infinity inside base_input/plus_input, which Python's json module writes
// and reads but encoding/json rejects, so the row is split first and only the named members are decoded.
func decodeEvalPlus(line []byte, into map[string]any) (map[string][]byte, error) {
	fields, err := jsonMembers(line)
	if err != nil {
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	for name, dst := range into {
		raw, ok := fields[name]
		if !ok {
			return nil, fmt.Errorf("missing %q", name)
		}
		if dst == nil {
			continue
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			return nil, fmt.Errorf("invalid JSON in %q: %v", name, err)
		}
	}
	return fields, nil
}

// jsonMembers splits a JSON object into its members' raw value texts. Values are only delimited, not
// checked: bare words (true, NaN, -Infinity, ...) are taken whole.
func jsonMembers(data []byte) (map[string][]byte, error) {
	s := newScanner(data)
	s.space()
	if !s.eat('{') {
		return nil, s.errorf("want '{'")
	}
	out := map[string][]byte{}
	s.space()
	if s.eat('}') {
		return out, s.end()
	}
	for {
		s.space()
		start := s.i
		if err := s.skipString(); err != nil {
			return nil, err
		}
		var key string
		if err := json.Unmarshal(s.data[start:s.i], &key); err != nil {
			return nil, s.errorf("bad member name: %v", err)
		}
		s.space()
		if !s.eat(':') {
			return nil, s.errorf("want ':' after %q", key)
		}
		s.space()
		start = s.i
		if err := s.skipValue(); err != nil {
			return nil, err
		}
		if _, dup := out[key]; dup {
			return nil, s.errorf("member %q repeated", key)
		}
		out[key] = s.data[start:s.i]
		s.space()
		if s.eat('}') {
			return out, s.end()
		}
		if !s.eat(',') {
			return nil, s.errorf("want ',' or '}'")
		}
	}
}

// jsonArrayLen counts the elements of a raw JSON array. An empty object counts as an empty array
// (MbppPlus v0.2.0 stores Mbpp/793's plus_input as {}).
func jsonArrayLen(raw []byte) (int, error) {
	s := newScanner(raw)
	s.space()
	if s.eat('{') {
		s.space()
		if s.eat('}') {
			return 0, s.end()
		}
		return 0, s.errorf("want an array, not an object")
	}
	if !s.eat('[') {
		return 0, s.errorf("want an array")
	}
	s.space()
	if s.eat(']') {
		return 0, s.end()
	}
	for n := 1; ; n++ {
		s.space()
		if err := s.skipValue(); err != nil {
			return 0, err
		}
		s.space()
		if s.eat(']') {
			if err := s.end(); err != nil {
				return 0, err
			}
			return n, nil
		}
		if !s.eat(',') {
			return 0, s.errorf("want ',' or ']'")
		}
	}
}

type scanner struct {
	data []byte
	i    int
}

func newScanner(data []byte) *scanner { return &scanner{data: data} }

func (s *scanner) errorf(format string, args ...any) error {
	return fmt.Errorf("offset %d: %s", s.i, fmt.Sprintf(format, args...))
}

func (s *scanner) space() {
	for s.i < len(s.data) && strings.IndexByte(" \t\r\n", s.data[s.i]) >= 0 {
		s.i++
	}
}

func (s *scanner) eat(c byte) bool {
	if s.i < len(s.data) && s.data[s.i] == c {
		s.i++
		return true
	}
	return false
}

func (s *scanner) end() error {
	s.space()
	if s.i != len(s.data) {
		return s.errorf("unexpected data after the value")
	}
	return nil
}

func (s *scanner) skipString() error {
	if !s.eat('"') {
		return s.errorf("want a string")
	}
	for s.i < len(s.data) {
		switch s.data[s.i] {
		case '\\':
			s.i += 2
		case '"':
			s.i++
			return nil
		default:
			s.i++
		}
	}
	return errors.New("unterminated string")
}

// skipValue moves past one JSON value: a string, a bracketed array or object, or a bare word.
func (s *scanner) skipValue() error {
	if s.i >= len(s.data) {
		return s.errorf("want a value")
	}
	switch s.data[s.i] {
	case '"':
		return s.skipString()
	case '[', '{':
		depth := 0
		for s.i < len(s.data) {
			switch s.data[s.i] {
			case '"':
				if err := s.skipString(); err != nil {
					return err
				}
				continue
			case '[', '{':
				depth++
			case ']', '}':
				depth--
			}
			s.i++
			if depth == 0 {
				return nil
			}
		}
		return errors.New("unterminated array or object")
	}
	start := s.i
	for s.i < len(s.data) && bytes.IndexByte([]byte(",]} \t\r\n"), s.data[s.i]) < 0 {
		s.i++
	}
	if s.i == start {
		return s.errorf("want a value")
	}
	return nil
}
