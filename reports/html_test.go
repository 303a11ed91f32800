package reports_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/selfrepair/selfrepair/reports"
)

// browser finds a headless Chromium: $CHROMIUM, or chromium,
// chromium-browser or google-chrome on the PATH.
func browser(t *testing.T) string {
	t.Helper()
	if b := os.Getenv("CHROMIUM"); b != "" {
		return b
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no headless browser for the HTML report check: apt-get install -y chromium (or set $CHROMIUM; go test -short skips this)")
	return ""
}

// loadPage loads page in headless Chromium and returns the DOM after its
// scripts ran, and the console messages it logged (errors, CSP
// violations, failed loads).
func loadPage(t *testing.T, chromium, page string) (dom string, console []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
		"--user-data-dir="+t.TempDir(), "--enable-logging=stderr", "--v=0", "--virtual-time-budget=2000",
		"--dump-dom", "file://"+page)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", chromium, err, stderr.String())
	}
	for _, l := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(l, ":CONSOLE") {
			console = append(console, l)
		}
	}
	return string(out), console
}

var chartsAttr = regexp.MustCompile(`<body[^>]* data-charts="([^"]*)"`)

// TestHTMLInBrowser: Chromium loads report.html without a console message
// (no script error, nothing the Content Security Policy blocked, no
// network) and the page's self-check finds every chart drawn. Two broken
// copies of the page show that the check fails when it should.
func TestHTMLInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("headless-browser check (runs in make test)")
	}
	chromium := browser(t)
	dirs := []string{synthetic(t, "cot", 20, 5, 4, "cot", 5), synthetic(t, "resample", 20, 5, 4, "none", 6), handRun(t)}
	out := t.TempDir()
	if _, err := reports.Write(context.Background(), dirs, out); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(out, reports.HTMLFile)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	// The comparison's two charts, and per run: pass@k, outcomes,
	// transitions and pass against tokens.
	charts := strings.Count(page, `<svg class="chart"`)
	if charts != 2+3*4 {
		t.Errorf("%d charts, want %d", charts, 2+3*4)
	}
	noMarks := regexp.MustCompile(`(?s)(<svg class="chart" data-chart="pass-by-round".*?</svg>)`).ReplaceAllStringFunc(page, func(svg string) string {
		return strings.ReplaceAll(svg, `class="mark`, `class="gone`)
	})
	blocked := strings.Replace(page, "<h1>", `<img src="http://127.0.0.1:9/x.png"><h1>`, 1)
	if noMarks == page || blocked == page {
		t.Fatal("could not make the broken pages")
	}
	write := func(name, s string) string {
		p := filepath.Join(out, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, page, charts string
		console            bool
	}{
		{"report", path, strconv.Itoa(charts) + " ok", false},
		{"a chart without marks", write("nomarks.html", noMarks), strconv.Itoa(charts) + " bad:pass-by-round", false},
		{"a blocked load", write("blocked.html", blocked), strconv.Itoa(charts) + " ok", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dom, console := loadPage(t, chromium, tt.page)
			m := chartsAttr.FindStringSubmatch(dom)
			if m == nil {
				t.Fatalf("the page's self-check did not run (no data-charts on <body>); console: %v", console)
			}
			if m[1] != tt.charts {
				t.Errorf("data-charts=%q, want %q", m[1], tt.charts)
			}
			if (len(console) > 0) != tt.console {
				t.Errorf("console messages: %q", console)
			}
			if !tt.console && strings.Count(dom, `data-drawn="`) != charts {
				t.Errorf("%d charts checked, want %d", strings.Count(dom, `data-drawn="`), charts)
			}
		})
	}
}
