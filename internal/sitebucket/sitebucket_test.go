package sitebucket_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/acme-oem/vehicle-data/internal/sitebucket"
)

// fakeS3 answers S3's GetObject on path-style URLs. No S3 emulator runs here, so this stands in
// for the service; the client under test is the real SDK over real HTTP, signing included.
type fakeS3 struct {
	mu      sync.Mutex
	objects map[string]string // "bucket/key" → body
	down    bool
	gets    int
	authz   []string
}

func (f *fakeS3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gets++
	f.authz = append(f.authz, r.Header.Get("Authorization"))
	if f.down {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`<Error><Code>SlowDown</Code><Message>slow down</Message></Error>`))
		return
	}
	body, ok := f.objects[strings.TrimPrefix(r.URL.Path, "/")]
	if r.Method != http.MethodGet || !ok {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`<Error><Code>NoSuchKey</Code><Message>no such key</Message></Error>`))
		return
	}
	w.Header().Set("Content-Type", "text/html")
	_, _ = w.Write([]byte(body))
}

func (f *fakeS3) set(fn func(*fakeS3)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func client(t *testing.T, url string) *s3.Client {
	t.Helper()
	return s3.New(s3.Options{
		Region: "eu-central-1", BaseEndpoint: aws.String(url), UsePathStyle: true,
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		RetryMaxAttempts: 1,
	})
}

// The index is read from the bucket, kept for the TTL, re-read after it, and while S3 fails
// the last good copy is served; with no good copy the error surfaces.
func TestIndexReadsKeepsAndFallsBack(t *testing.T) {
	f := &fakeS3{objects: map[string]string{"site-bucket/index.html": "<html>v1</html>"}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	idx := sitebucket.New(client(t, srv.URL), "site-bucket", sitebucket.Options{TTL: time.Minute, Now: func() time.Time { return now }})

	get := func(want string) {
		t.Helper()
		b, err := idx.Get(t.Context())
		if err != nil || string(b) != want {
			t.Fatalf("Get = %q, %v; want %q", b, err, want)
		}
	}
	get("<html>v1</html>")
	f.set(func(f *fakeS3) { f.objects["site-bucket/index.html"] = "<html>v2</html>" })
	now = now.Add(59 * time.Second)
	get("<html>v1</html>") // within the TTL: no read
	var gets int
	var authz string
	f.set(func(f *fakeS3) { gets, authz = f.gets, f.authz[0] })
	if gets != 1 {
		t.Errorf("%d reads within the TTL, want 1", gets)
	}
	if !strings.HasPrefix(authz, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") {
		t.Errorf("the read was not signed: %q", authz)
	}
	now = now.Add(2 * time.Second)
	get("<html>v2</html>") // a deployment shows after the TTL

	f.set(func(f *fakeS3) { f.down = true })
	now = now.Add(time.Hour)
	get("<html>v2</html>") // S3 failing: the last good copy

	empty := sitebucket.New(client(t, srv.URL), "other-bucket", sitebucket.Options{})
	f.set(func(f *fakeS3) { f.down = false })
	if b, err := empty.Get(t.Context()); err == nil || b != nil {
		t.Errorf("a missing object: %q, %v; want an error", b, err)
	}
}
