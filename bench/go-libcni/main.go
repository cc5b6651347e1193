// The Go reference for bench/cni-overhead.ts: libcni's CNIConfig (what nerdctl, containerd and
// Podman use) running ADD+DEL of one conflist in one netns. Driven over stdin so the Node bench
// can interleave it with its own cycles: each input line is a container ID, each output line the
// cycle's time as JSON ({"ms": 12.3} or {"error": "..."}). Built at bench time from Debian's
// golang-github-containernetworking-cni-dev (GOPATH mode, offline); never committed as a binary.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/containernetworking/cni/libcni"
)

type line struct {
	Ms    float64 `json:"ms,omitempty"`
	Error string  `json:"error,omitempty"`
}

func cycle(cni *libcni.CNIConfig, list *libcni.NetworkConfigList, netns, id string) (time.Duration, error) {
	rt := &libcni.RuntimeConf{ContainerID: id, NetNS: netns, IfName: "eth0"}
	ctx := context.Background()
	start := time.Now()
	if _, err := cni.AddNetworkList(ctx, list, rt); err != nil {
		return 0, fmt.Errorf("ADD: %w", err)
	}
	if err := cni.DelNetworkList(ctx, list, rt); err != nil {
		return 0, fmt.Errorf("DEL: %w", err)
	}
	return time.Since(start), nil
}

func main() {
	conflist := flag.String("conflist", "", "path of the .conflist to run")
	netns := flag.String("netns", "", "network namespace path")
	pluginDirs := flag.String("path", "/usr/lib/cni", "plugin dirs, ':'-separated")
	cacheDir := flag.String("cache", "", "libcni result cache dir")
	flag.Parse()
	bytes, err := os.ReadFile(*conflist)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	list, err := libcni.ConfListFromBytes(bytes)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	cni := libcni.NewCNIConfigWithCacheDir(strings.Split(*pluginDirs, ":"), *cacheDir, nil)
	in := bufio.NewScanner(os.Stdin)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		d, err := cycle(cni, list, *netns, strings.TrimSpace(in.Text()))
		res := line{Ms: float64(d.Microseconds()) / 1000}
		if err != nil {
			res = line{Error: err.Error()}
		}
		if err := out.Encode(res); err != nil {
			os.Exit(1)
		}
	}
}
