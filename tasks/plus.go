package tasks

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// plusSpec says how to build a task's PlusTest from EvalPlus data.
type plusSpec struct {
	dataset     string  // "humaneval" or "mbpp": selects evalplus' special oracles
	entryPoint  string  // the function under test
	inputs      []byte  // plus_input: a raw JSON array of argument lists
	atol        float64 // the task's atol
	deserialize string  // Python statements turning `inputs` (as read from JSON) into evalplus' arguments; "" for none
}

// oracle is how evalplus judges one output (evalplus/eval/__init__.py, _special_oracle.py).
type oracle struct {
	expected string // Python statement setting exp from the reference; "" when the oracle needs none
	judge    string // Python lines of _plus_check's body before the generic float rule; may return early
	final    bool   // judge returns: the generic float rule does not apply
	want     string // Python expression describing the expected output in failure messages
	helpers  string // Python definitions the judge uses
}

// evalPlusOracle returns evalplus' oracle for a task. Like evalplus, it is keyed by dataset and entry point.
// The MBPP oracles of Mbpp/164 (are_equivalent) and Mbpp/295 (sum_div) are left out: neither task is in MBPP+ v0.2.0.
func evalPlusOracle(dataset, entry string) oracle {
	o := oracle{
		expected: "exp = _plus_ref(*_plus_copy.deepcopy(inp))",
		judge:    "exact = out == exp",
		want:     "_plus_short(exp)",
	}
	switch dataset + "/" + entry {
	case "humaneval/find_zero": // HumanEval/32: any zero of the polynomial within atol
		o.expected = ""
		o.judge = "return abs(_plus_poly(*inp, out)) <= atol"
		o.final = true
		o.want = `"x with abs(poly(xs, x)) <= %g" % atol`
		o.helpers = `def _plus_poly(xs, x):
    return sum(coeff * _plus_math.pow(x, i) for i, coeff in enumerate(xs))`
	case "mbpp/surface_Area": // Mbpp/581: height may also be read as the pyramid's perpendicular height
		o.judge += "\nexact = exact or abs(out - _plus_surface_Area(*inp)) <= atol"
		o.helpers = `def _plus_surface_Area(base_edge, height):
    slant_height = _plus_math.sqrt((base_edge / 2) ** 2 + height**2)
    return round(base_edge**2 + 4 * (base_edge * slant_height) / 2)`
	case "mbpp/digit_distance_nums": // Mbpp/558: numbers of different lengths are zero-padded
		o.judge += "\nexact = exact or out == _plus_digit_distance_nums(*inp)"
		o.helpers = `def _plus_digit_distance_nums(num1, num2):
    s1, s2 = str(num1), str(num2)
    width = max(len(s1), len(s2))
    return sum(abs(int(a) - int(b)) for a, b in zip(s1.zfill(width), s2.zfill(width)))`
	case "mbpp/similar_elements", "mbpp/find_char_long", "mbpp/common_in_nested_lists", "mbpp/extract_singly",
		"mbpp/larg_nnum", "mbpp/intersection_array", "mbpp/find_dissimilar", "mbpp/Diff":
		// Mbpp/2, 7, 111, 140, 232, 249, 579, 769: the order of the output does not matter
		o.judge = "exact = set(out) == set(exp)"
	case "mbpp/check_str", "mbpp/text_match_three", "mbpp/text_starta_endb":
		// Mbpp/737, 787, 794: only whether the output is None matters (or the bool itself, when it is one)
		o.expected += " is not None"
		o.judge = "exact = out == exp if isinstance(out, bool) else exp == (out is not None)"
		o.want = `"a result that is " + ("not None" if exp else "None")`
	}
	return o
}

// plusTest returns a task's PlusTest: Python test code that runs every plus input through the function
// under test and compares the output with the trusted reference's output, the way evalplus does.
// It is "" when there are no plus inputs.
//
// For Completion-style tasks it defines check(candidate) (the harness appends check(entry_point));
// for Program-style tasks it ends by calling _plus_run(<entry point>) itself.
func plusTest(t Task, spec plusSpec) (string, error) {
	n, err := jsonArrayLen(spec.inputs)
	if err != nil {
		return "", fmt.Errorf("plus_input: %v", err)
	}
	if n == 0 {
		return "", nil
	}
	if !isIdentifier(spec.entryPoint) {
		return "", fmt.Errorf("entry_point %q is not a Python identifier", spec.entryPoint)
	}
	if math.IsNaN(spec.atol) || math.IsInf(spec.atol, 0) || spec.atol < 0 {
		return "", fmt.Errorf("atol %v is not a finite number >= 0", spec.atol)
	}
	o := evalPlusOracle(spec.dataset, spec.entryPoint)
	var b strings.Builder
	line := func(s string) { b.WriteString(s + "\n") }
	indented := func(code, indent string) {
		for _, l := range strings.Split(code, "\n") {
			line(indent + l)
		}
	}
	fmt.Fprintf(&b, "# EvalPlus plus tests: %d inputs. Each output is compared with the trusted reference solution's\n", n)
	line("# output for the same input, the way evalplus compares them (exact, floats within atol, special oracles).")
	line("import copy as _plus_copy")
	line("import json as _plus_json")
	line("import math as _plus_math")
	line("")
	if o.expected != "" {
		line(`_plus_reference = {"__name__": "_plus_reference"}`)
		fmt.Fprintf(&b, "exec(compile(%s, \"<reference>\", \"exec\"), _plus_reference)\n", pyString(t.Program(t.ReferenceSample())))
		fmt.Fprintf(&b, "_plus_ref = _plus_reference[%s]\n", pyString(spec.entryPoint))
	}
	if spec.deserialize == "" {
		fmt.Fprintf(&b, "_plus_inputs = _plus_json.loads(%s)\n", pyString(string(spec.inputs)))
	} else {
		line("")
		line("")
		line("def _plus_deserialize(inputs):")
		line(`    """evalplus' mbpp_deserialize_inputs for this task: restores what JSON cannot hold (tuples, sets, complex)."""`)
		indented(spec.deserialize, "    ")
		line("    return inputs")
		line("")
		line("")
		fmt.Fprintf(&b, "_plus_inputs = _plus_deserialize(_plus_json.loads(%s))\n", pyString(string(spec.inputs)))
	}
	line("")
	if o.helpers != "" {
		line("")
		line(o.helpers)
		line("")
	}
	if !o.final {
		line(`
def _plus_is_floats(x):
    if isinstance(x, float):
        return True
    if isinstance(x, (list, tuple)):
        return all(isinstance(i, float) for i in x)
    return False


def _plus_close(a, b, atol):
    """numpy.allclose(a, b, rtol=1e-07, atol=atol), for numbers and (nested) lists and tuples of numbers."""
    a_seq, b_seq = isinstance(a, (list, tuple)), isinstance(b, (list, tuple))
    if a_seq or b_seq:
        if not a_seq:
            a = [a] * len(b)
        if not b_seq:
            b = [b] * len(a)
        return len(a) == len(b) and all(_plus_close(x, y, atol) for x, y in zip(a, b))
    numbers = (bool, int, float, complex)
    if type(a) not in numbers or type(b) not in numbers:
        return False
    try:
        a, b = complex(a), complex(b)
    except OverflowError:
        return False
    if a == b:
        return True
    if any(_plus_math.isinf(v.real) or _plus_math.isinf(v.imag) for v in (a, b)):
        return False
    return abs(a - b) <= atol + 1e-07 * abs(b)
`)
	}
	line("")
	line("def _plus_check(inp, out, exp):")
	fmt.Fprintf(&b, "    atol = %s\n", strconv.FormatFloat(spec.atol, 'g', -1, 64))
	indented(o.judge, "    ")
	if !o.final {
		line(`    if atol == 0 and _plus_is_floats(exp):
        atol = 1e-06
    if not exact and atol != 0:
        if type(out) is not type(exp):
            return False
        if isinstance(exp, (list, tuple)) and len(out) != len(exp):
            return False
        return _plus_close(out, exp, atol)
    return bool(exact)`)
	}
	line(`

def _plus_short(v):
    s = repr(v)
    return s if len(s) <= 300 else s[:300] + "..."


def _plus_failure(i, inp, out, exp, atol):`)
	fmt.Fprintf(&b, "    return \"plus input %%d of %%d: %%s(%%s) returned %%s, expected %%s\" %% (\n")
	fmt.Fprintf(&b, "        i + 1, len(_plus_inputs), %s, \", \".join(_plus_short(a) for a in inp), _plus_short(out), %s)\n",
		pyString(spec.entryPoint), o.want)
	line("")
	line("")
	run := "check"
	if t.Style == Program {
		run = "_plus_run"
	}
	fmt.Fprintf(&b, "def %s(candidate):\n", run)
	line("    for i, inp in enumerate(_plus_inputs):")
	if o.expected != "" {
		line("        " + o.expected)
	} else {
		line("        exp = None")
	}
	line("        out = candidate(*_plus_copy.deepcopy(inp))")
	fmt.Fprintf(&b, "        assert _plus_check(inp, out, exp), _plus_failure(i, inp, out, exp, %s)\n", strconv.FormatFloat(spec.atol, 'g', -1, 64))
	if t.Style == Program {
		line("")
		line("")
		fmt.Fprintf(&b, "_plus_run(%s)\n", spec.entryPoint)
	}
	return b.String(), nil
}

// mbppPlusDeserializer returns the Python statements that turn Mbpp/<n>'s inputs, as read from JSON
// (the variable inputs), into the arguments evalplus passes: a port of evalplus.data.mbpp.mbpp_deserialize_inputs
// (the same in every evalplus release), which restores the tuples, sets and complex numbers JSON cannot hold.
// It is "" for tasks whose inputs are used as read.
func mbppPlusDeserializer(n int) string {
	const (
		tuples       = "inputs = [[tuple(lst) for lst in inp] for inp in inputs]"
		nestedTuples = "inputs = [[[tuple(lst) for lst in lst_lst] for lst_lst in inp] for inp in inputs]"
	)
	switch n {
	case 2, 116, 132, 143, 222, 261, 273, 394, 399, 421, 424, 429, 470, 560, 579, 596, 616, 630, 726, 740, 744, 809:
		return tuples
	case 63, 64, 70, 94, 120, 237, 272, 299, 400, 409, 417, 438, 473, 614, 780:
		return nestedTuples
	case 75, 413, 444, 753:
		return "inputs = [[[tuple(lst) for lst in inp[0]]] + [inp[1]] for inp in inputs]"
	case 106, 750:
		return "inputs = [[inp[0]] + [tuple(inp[1])] for inp in inputs]"
	case 115:
		return "inputs = [[[set(item) if isinstance(item, list) and len(item) else {} for item in inp[0]]] for inp in inputs]"
	case 124:
		return "inputs = [(float(inp[0]), complex(inp[1])) for inp in inputs]"
	case 250, 405, 446, 617, 720, 763, 808:
		return "inputs = [[tuple(inp[0])] + [inp[1]] for inp in inputs]"
	case 259, 401, 445:
		return nestedTuples + "\n" + tuples
	case 278:
		return "inputs = [[[tuple(item) if isinstance(item, list) else item for item in inp[0]]] for inp in inputs]\n" + tuples
	case 307:
		return "inputs = [[tuple(inp[0])] + [inp[1], inp[2]] for inp in inputs]"
	case 722:
		return "inputs = [[{key: tuple(value) for key, value in inp[0].items()}] + inp[1:] for inp in inputs]"
	case 252:
		return "inputs = [[complex(inp[0])] for inp in inputs]"
	case 580, 615, 791:
		return `def all_tuples(x):
    return tuple(all_tuples(item) for item in x) if isinstance(x, list) else x

inputs = [all_tuples(inp) for inp in inputs]`
	}
	return ""
}

// isIdentifier reports whether s is an ASCII Python identifier.
func isIdentifier(s string) bool {
	for i, c := range s {
		if !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9') {
			return false
		}
	}
	return s != ""
}

// pyString returns s as a Python string literal: double-quoted, ASCII only. Invalid UTF-8 becomes U+FFFD.
func pyString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '"':
			b.WriteString(`\"`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < 0x80:
			b.WriteRune(r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
