package sandbox

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// Orphan is a container left behind by a run that is gone.
type Orphan struct {
	ID, Run, Owner string
}

// Sweep finds the sandbox containers of runs whose process no longer
// exists on this host and, unless dryRun, removes them.
func Sweep(ctx context.Context, eng Backend, dryRun bool) ([]Orphan, error) {
	list, err := eng.List(ctx, labelTool+"=selfrepair")
	if err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	var out []Orphan
	for _, c := range orphans(list, host, processAlive) {
		out = append(out, Orphan{ID: short(c.ID), Run: c.Labels[labelRun], Owner: c.Labels[labelOwner]})
		if !dryRun {
			if err := eng.Remove(ctx, c.ID); err != nil {
				return out, err
			}
		}
	}
	return out, nil
}

// orphans picks the containers to remove from list: those whose owner is
// a process of host that is not alive.
func orphans(list []ContainerInfo, host string, alive func(pid int) bool) []ContainerInfo {
	var out []ContainerInfo
	for _, c := range list {
		if legacyOrphan(c.Labels[labelOwner], host, alive) {
			out = append(out, c)
		}
	}
	return out
}

// legacyOrphan judges a container by its owner label, host:pid.
func legacyOrphan(owner, host string, alive func(pid int) bool) bool {
	h, pidStr, _ := strings.Cut(owner, ":")
	pid, err := strconv.Atoi(pidStr)
	if h == host && err == nil && alive(pid) {
		return false
	}
	return h == host || h == "" // another machine's engine client: not ours to judge
}

func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
