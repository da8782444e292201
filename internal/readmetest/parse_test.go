package readmetest

import (
	"slices"
	"testing"
)

func TestParseFindsTheCommandColumn(t *testing.T) {
	md := "intro `make nothing`\n\n" +
		"| what | command |\n| --- | --- |\n" +
		"| stack | `make run` (`PORT=9090 make run`; `CHAOS=0.1 make run`) |\n" +
		"| sims | `go run ./cmd/legacysim -no-latency` (flags `-ports p1,...,p6`) |\n" +
		"| binary | `make build` → `bin/lambda/bootstrap` (`HANDLER` picks) |\n" +
		"| engine | `asl validate FILE` |\n" +
		"| pipe | `curl -s x | jq .` |\n" +
		"| module | `cd statemachines/engine && echo '{}' \\| go run ./cmd/asl run x.json` |\n" +
		"\n| what | figure | command |\n|---|---|---|\n" +
		"| a | 1 | `go test -run '^$' -bench PassChain20 ./statemachines/engine` |\n" +
		"| b | `2` | `... -bench Map1000 ...` |\n" +
		"\n| VIN | story |\n|---|---|\n| `WVWZZZCD3MW100001` | clean |\n"
	cmds, bad := Parse(md)
	var got []string
	for _, c := range cmds {
		got = append(got, c.Text)
	}
	want := []string{"make run", "PORT=9090 make run", "CHAOS=0.1 make run", "go run ./cmd/legacysim -no-latency",
		"make build", "curl -s x | jq .", "cd statemachines/engine && echo '{}' | go run ./cmd/asl run x.json",
		"go test -run '^$' -bench PassChain20 ./statemachines/engine", "go test -run '^$' -bench Map1000 ./statemachines/engine"}
	if !slices.Equal(got, want) {
		t.Errorf("commands\n got %q\nwant %q", got, want)
	}
	if len(bad) != 1 || bad[0].Text != "asl validate FILE" || bad[0].Line != 8 {
		t.Errorf("not runnable: %+v", bad)
	}
}
