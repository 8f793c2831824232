package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// The vectors the build writes: every file opens with the proof x/mod made, and both
// verdicts occur among the cases changed from it.
func TestGenProofVectors(t *testing.T) {
	dir := t.TempDir()
	if err := runGenProofVectors(&args{pos: []string{dir}}); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"inclusion", "consistency"} {
		files, err := filepath.Glob(filepath.Join(dir, kind, "*.json"))
		if err != nil || len(files) < 50 {
			t.Fatalf("%s: %d files (%v)", kind, len(files), err)
		}
		verdicts := map[bool]int{}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var cases []struct {
				Desc    string `json:"desc"`
				WantErr bool   `json:"wantErr"`
			}
			if err := json.Unmarshal(data, &cases); err != nil || len(cases) == 0 {
				t.Fatalf("%s: %d cases (%v)", f, len(cases), err)
			}
			first := cases[0]
			empty := filepath.Base(f)[:2] == "0-"
			if !empty && (first.Desc != "happy path" || first.WantErr) {
				t.Errorf("%s opens with %q (wantErr %v)", f, first.Desc, first.WantErr)
			}
			for _, c := range cases[1:] {
				verdicts[c.WantErr]++
			}
		}
		if verdicts[true] == 0 || verdicts[false] == 0 {
			t.Errorf("%s: changed cases judged %v", kind, verdicts)
		}
	}
	if err := runGenProofVectors(&args{pos: []string{dir}}); err == nil {
		t.Error("a second run into the same folder succeeded")
	}
}
