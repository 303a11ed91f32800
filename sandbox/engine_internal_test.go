package sandbox

import (
	"reflect"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/strslice"
	"github.com/docker/go-units"
)

// TestDockerConfigs: a sandbox container is made with the hardening it had
// before the Backend seam, flag for flag.
func TestDockerConfigs(t *testing.T) {
	spec := containerSpec{Image: "img", Limits: DefaultLimits().container(), Env: map[string]string{"PYTHONHASHSEED": "3"}, Labels: map[string]string{"k": "v"}}
	cfg, host := dockerConfigs(spec.container())
	if cfg.Image != "img" || cfg.User != "0:0" || cfg.WorkingDir != WorkDir || !cfg.NetworkDisabled || len(cfg.Entrypoint) != 0 ||
		!cfg.OpenStdin || !cfg.AttachStdin || !cfg.AttachStdout || !cfg.AttachStderr || cfg.Labels["k"] != "v" || cfg.Cmd[0] != "python3" {
		t.Errorf("config %+v", cfg)
	}
	init, pids := true, int64(128)
	want := &container.HostConfig{
		NetworkMode:    "none",
		ReadonlyRootfs: true,
		Init:           &init,
		CapDrop:        strslice.StrSlice{"ALL"},
		CapAdd:         strslice.StrSlice{"SETUID", "SETGID", "KILL"},
		SecurityOpt:    []string{"no-new-privileges"},
		LogConfig:      container.LogConfig{Type: "none"},
		IpcMode:        "private",
		ShmSize:        64 << 20,
		Tmpfs: map[string]string{
			"/tmp":  "rw,nosuid,nodev,exec,size=67108864,nr_inodes=8192,mode=1777",
			WorkDir: "rw,nosuid,nodev,exec,size=67108864,nr_inodes=8192,mode=0700,uid=10001,gid=10001",
		},
		Resources: container.Resources{
			Memory:     512 << 20,
			MemorySwap: 512 << 20,
			NanoCPUs:   1e9,
			PidsLimit:  &pids,
			Ulimits:    []*units.Ulimit{{Name: "nofile", Soft: 1024, Hard: 1024}, {Name: "core", Soft: 0, Hard: 0}},
		},
	}
	if !reflect.DeepEqual(host, want) {
		t.Errorf("host config\n%+v\nwant\n%+v", host, want)
	}
}
