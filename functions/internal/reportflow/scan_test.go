package reportflow

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

var scanSeeds = []string{
	`{"vin":"WVWZZZCD3MW100001","access":"public","cache":[{"Item":{"pk":{"S":"VIN#WVWZZZCD3MW100001"},"sk":{"S":"SRC#recalls"},"data":{"S":"{\"recalls\":{\"openCount\":1,\"note\":\"\\u00e9\\ud83d\\ude00\\n\"}}"},"fetchedAt":{"S":"2026-03-01T12:00:00Z"},"softExpiry":{"S":"2026-03-02T12:00:00Z"},"hardExpiry":{"S":"2026-03-31T12:00:00Z"},"notFound":{"BOOL":false},"ttl":{"N":"1790000000"}},"SdkHttpMetadata":{"AllHttpHeaders":{"Date":["x"]},"HttpStatusCode":200},"SdkResponseMetadata":{"RequestId":"r"}},{"SdkHttpMetadata":{}},{"Item":null}]}`,
	`{"vin":"X","access":"owner","cache":[]}`,
	`{}`,
	`{"cache":[{"item":{}}]}`,
	`{"vin":"a","VIN":"b"}`,
	`{"vin":"a","extra":[1,-2.5e3,true,null,{"k":"v"}],"cache":[{"Item":{"a":{"NULL":true}}}]}`,
	`{"vin":"a","cache":[{"Item":{"a":{"s":"x"}}}]}`,
	`{"vin":"\ud800","cache":[]}`,
	` {"vin" : "a" , "cache" : [ { "Item" : { "sk" : { "S" : "PII#registry" } } } ] } `,
	`{"vin":"WVWZZZCD3MW100001","access":"owner","items":[{"pk":{"S":"VIN#WVWZZZCD3MW100001"},"sk":{"S":"SRC#recalls"},"data":{"S":"{\"recalls\":{\"openCount\":2}}"},"fetchedAt":{"S":"2026-03-01T12:00:00Z"},"softExpiry":{"S":"2026-03-02T12:00:00Z"},"hardExpiry":{"S":"2026-03-31T12:00:00Z"}},null,{}]}`,
	`{"items":[],"cache":[{"Item":{}}],"Items":[]}`,
}

// FuzzScanCacheEvent checks the one-pass reader against the general decoding: whenever it
// accepts an event, encoding/json reads the same entries from it.
func FuzzScanCacheEvent(f *testing.F) {
	for _, s := range scanSeeds {
		f.Add([]byte(s))
	}
	now := func() time.Time { return time.Date(2026, 3, 1, 13, 0, 0, 0, time.UTC) }
	f.Fuzz(func(t *testing.T, b []byte) {
		vin, access, entries, ok := ScanCacheEvent(b, now)
		if !ok {
			return
		}
		var ref CacheRead
		if err := json.Unmarshal(b, &ref); err != nil {
			t.Fatalf("fast path accepted what encoding/json rejects (%v): %s", err, b)
		}
		want, err := ref.Entries(now)
		if err != nil {
			t.Fatalf("fast path accepted entries the general path rejects (%v): %s", err, b)
		}
		if vin != ref.VIN || access != ref.Access || !reflect.DeepEqual(entries, want) {
			t.Fatalf("%s\nfast %q %q %+v\ngeneral %q %q %+v", b, vin, access, entries, ref.VIN, ref.Access, want)
		}
	})
}

func TestScanCacheEventReadsTheCommonShape(t *testing.T) {
	now := func() time.Time { return time.Date(2026, 3, 1, 13, 0, 0, 0, time.UTC) }
	for i, s := range []string{scanSeeds[0], scanSeeds[1], scanSeeds[2], scanSeeds[8], scanSeeds[9]} {
		if _, _, _, ok := ScanCacheEvent([]byte(s), now); !ok {
			t.Errorf("seed %d: fast path declined: %s", i, s)
		}
	}
	if _, _, e, _ := ScanCacheEvent([]byte(scanSeeds[9]), now); string(e["recalls"].Public) != `{"recalls":{"openCount":2}}` {
		t.Errorf("items form: %+v", e["recalls"])
	}
	_, _, e, _ := ScanCacheEvent([]byte(scanSeeds[0]), now)
	if d := e["recalls"]; !d.Present || string(d.Public) != `{"recalls":{"openCount":1,"note":"\u00e9\ud83d\ude00\n"}}` {
		t.Errorf("recalls entry: %+v %s", d, d.Public)
	}
}
