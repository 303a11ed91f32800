package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Check is one finding of Doctor.
type Check struct {
	Name   string
	OK     bool
	Detail string
}

// probe runs inside a sandbox and reports the posture it finds itself in.
const probe = `import json, os, socket
def read(p):
    try:
        with open(p) as f: return f.read().strip()
    except OSError: return None
st = dict(l.split(":", 1) for l in open("/proc/self/status").read().splitlines() if ":" in l)
try:
    open("/HOSTILE-probe", "w"); rootfs = "writable"
except OSError as e: rootfs = e.strerror
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    s.connect(("192.0.2.1", 9)); route = "route exists"
except OSError as e: route = e.strerror
print(json.dumps({"uid": os.getuid(), "cap_eff": st["CapEff"].strip(), "no_new_privs": st["NoNewPrivs"].strip(),
  "seccomp": st["Seccomp"].strip(), "rootfs": rootfs, "route": route, "ifaces": sorted(os.listdir("/sys/class/net")),
  "pids": read("/sys/fs/cgroup/pids.max") or read("/sys/fs/cgroup/pids/pids.max"),
  "mem": read("/sys/fs/cgroup/memory.max") or read("/sys/fs/cgroup/memory/memory.limit_in_bytes"),
  "env": sorted(os.environ)}))
`

// Doctor checks that the engine answers, that the image exists and was
// built from the current recipe, and that a job really runs under the
// limits (non-root, no capabilities, no network, read-only root, pids and
// memory limits, timeouts).
func Doctor(ctx context.Context, eng Backend, r Recipe) []Check {
	var checks []Check
	add := func(name string, ok bool, format string, args ...any) {
		checks = append(checks, Check{Name: name, OK: ok, Detail: fmt.Sprintf(format, args...)})
	}
	v, err := eng.Version(ctx)
	if err != nil {
		add("engine", false, "%v", err)
		return checks
	}
	add("engine", true, "%s %s, API %s, cgroup v%s, storage %s", v.Name, v.Version, v.APIVersion, v.Cgroup, v.Storage)
	img, err := eng.Image(ctx, r.Ref)
	if err != nil {
		hint := ""
		if errors.Is(err, ErrImageMissing) {
			hint = " (build it: selfrepair sandbox build)"
		}
		add("image", false, "%v%s", err, hint)
		return checks
	}
	if got := img.Labels[LabelRecipe]; got != r.Digest() {
		add("image", false, "%s is stale: built from recipe %q, current is %q (rebuild it: selfrepair sandbox build)", r.Ref, got, r.Digest())
	} else {
		add("image", true, "%s (%s), recipe %s, built by %s", r.Ref, short(trimSha(img.ID)), got, img.Labels[LabelBuilder])
	}
	sb, err := New(ctx, eng, Options{Image: r.Ref, Isolation: Fresh, Size: 1, Spare: -1})
	if err != nil {
		add("sandbox", false, "%v", err)
		return checks
	}
	defer sb.Close()
	res, err := sb.Run(ctx, Job{Files: map[string][]byte{"probe.py": []byte(probe)}, Argv: []string{"python3", "probe.py"}})
	if err != nil || !res.OK() {
		detail := fmt.Sprint(err)
		if res != nil {
			detail = res.Summary() + ": " + string(res.Stderr)
		}
		add("sandbox", false, "the probe did not run: %s", detail)
		return checks
	}
	var p struct {
		UID        int      `json:"uid"`
		CapEff     string   `json:"cap_eff"`
		NoNewPrivs string   `json:"no_new_privs"`
		Seccomp    string   `json:"seccomp"`
		Rootfs     string   `json:"rootfs"`
		Route      string   `json:"route"`
		Ifaces     []string `json:"ifaces"`
		Pids       string   `json:"pids"`
		Mem        string   `json:"mem"`
		Env        []string `json:"env"`
	}
	if err := json.Unmarshal(res.Stdout, &p); err != nil {
		add("sandbox", false, "unreadable probe output: %v", err)
		return checks
	}
	add("user", p.UID != 0, "uid %d", p.UID)
	add("capabilities", p.CapEff == "0000000000000000", "effective %s", p.CapEff)
	add("no-new-privileges", p.NoNewPrivs == "1", "NoNewPrivs %s", p.NoNewPrivs)
	add("seccomp", p.Seccomp == "2", "mode %s", p.Seccomp)
	add("read-only root", p.Rootfs != "writable", "writing / gives %q", p.Rootfs)
	add("network", p.Route != "route exists" && len(p.Ifaces) == 1, "interfaces %v, route: %s", p.Ifaces, p.Route)
	add("pids limit", p.Pids != "" && p.Pids != "max", "pids.max %s", p.Pids)
	add("memory limit", p.Mem != "" && p.Mem != "max" && len(p.Mem) < 15, "limit %s bytes", p.Mem)
	add("environment", len(p.Env) <= len(baseEnv(nil))+2, "%v", p.Env)
	start := time.Now()
	res, err = sb.Run(ctx, Job{Files: map[string][]byte{"spin.py": []byte("while True: pass\n")}, Argv: []string{"python3", "spin.py"},
		Limits: Limits{Timeout: time.Second}})
	switch {
	case err != nil:
		add("timeout", false, "%v", err)
	default:
		add("timeout", res.Status == StatusTimeout, "a 1s limit on an endless loop: %s after %s", res.Summary(), time.Since(start).Round(time.Millisecond))
	}
	return checks
}

func trimSha(id string) string {
	if len(id) > 7 && id[:7] == "sha256:" {
		return id[7:]
	}
	return id
}
